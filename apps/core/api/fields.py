from rest_framework import serializers


class OptionalChoiceField(serializers.ChoiceField):
    """A choice stored as "" when absent, shown to clients as null (one enum, no blank member)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value or None

    def to_internal_value(self, data):
        return super().to_internal_value(data) if data not in (None, "") else ""

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


class PreciseDateField(serializers.DateField):
    """A date known to the precision given in ``precision_field``; a bad value's message points there."""

    def __init__(self, *, precision_field: str, **kwargs):
        kwargs["error_messages"] = {
            "invalid": "Date has wrong format or no such day: use YYYY-MM-DD. A date known only to its month or "
            f"year is written as a day of it (2022-01-01) with {precision_field} set to month or year.",
            **kwargs.get("error_messages", {}),
        }
        super().__init__(**kwargs)
