"""Reading a Django ValidationError as (field, message) pairs: the one way every caller flattens one."""

from collections.abc import Callable

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def validation_messages(
    error: ValidationError, *, field_name: Callable[[str], str] = str
) -> list[tuple[str | None, str]]:
    """Each message of ``error`` with the field it concerns (None for the object as a whole).

    ``field_name`` turns a model field's name into the one the caller's users know.
    """
    if not hasattr(error, "error_dict"):
        return [(None, message) for message in error.messages]
    return [
        (None if name == NON_FIELD_ERRORS else field_name(name), message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def validation_text(error: ValidationError, *, field_name: Callable[[str], str] = str) -> str:
    """The messages of ``error`` as one line, each after the field it concerns."""
    return "; ".join(
        f"{field}: {message}" if field else message
        for field, message in validation_messages(error, field_name=field_name)
    )
