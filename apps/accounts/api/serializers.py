from knox.models import AuthToken
from rest_framework import serializers


class ApiTokenSerializer(serializers.ModelSerializer):
    key = serializers.CharField(
        source="token_key",
        help_text="The token's first characters: enough to recognise it, useless to authenticate with.",
    )
    user = serializers.CharField(source="user.username")
    expires_at = serializers.DateTimeField(source="expiry", allow_null=True)
    created_at = serializers.DateTimeField(source="created")
    current = serializers.SerializerMethodField(help_text="Whether this request authenticated with it.")

    class Meta:
        model = AuthToken
        fields = ["key", "user", "created_at", "expires_at", "current"]

    def get_current(self, token) -> bool:
        used = self.context["request"].auth
        return isinstance(used, AuthToken) and used.digest == token.digest
