from rest_framework import serializers

from apps.core.api.urls import UrlPattern


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


class IdentityUrlField(serializers.HyperlinkedIdentityField):
    """``HyperlinkedIdentityField``, reversing its route once per serializer and request rather than once per
    object (``UrlPattern``): the same URLs, for a fraction of the cost in long lists of nested objects.

    ``lookup_sample``: a value the route accepts, for a route that takes only some (digits, two letters).
    """

    def __init__(self, *args, lookup_sample: str | None = None, **kwargs):
        self.lookup_sample = lookup_sample
        self.pattern = self.pattern_request = None
        super().__init__(*args, **kwargs)

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field, None)
        unsaved = hasattr(obj, "pk") and obj.pk in (None, "")
        # An unsaved object and the other edge cases keep DRF's own answer (None for the unsaved).
        if format or request is None or unsaved or value in (None, ""):
            return super().get_url(obj, view_name, request, format)
        if self.pattern_request is not request:
            sample = {"sample": self.lookup_sample} if self.lookup_sample else {}
            self.pattern = UrlPattern(view_name, self.lookup_url_kwarg, request, **sample)
            self.pattern_request = request
        return self.pattern(value)
