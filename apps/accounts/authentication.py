"""API token authentication: django-rest-knox's tokens, sent as ``Authorization: Token …``."""

from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework.authentication import get_authorization_header
from rest_framework.exceptions import AuthenticationFailed


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token check, and a 401 naming the expected scheme when a client sends another.

    knox passes over a header of another scheme, so a client used to OAuth's ``Bearer`` would
    be served as anonymous and told only that no credentials were provided.
    """

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        scheme = self.authenticate_header(request)
        if header and header[0].lower() != scheme.lower().encode():
            sent = header[0].decode("latin-1")
            raise AuthenticationFailed(
                f"The authorization scheme {sent!r} is not supported: send the API token as "
                f"'Authorization: {scheme} <token>'."
            )
        return super().authenticate(request)
