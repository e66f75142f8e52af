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
