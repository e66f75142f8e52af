"""Who the client is, for throttling and login lockout, and the lockout backend."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from rest_framework.settings import api_settings


def sent_credentials(request) -> bool:
    """Whether the request carries a token or a session; judged without touching the database."""
    return "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES


def client_ip(request) -> str:
    """The client's address as DRF's throttles see it: REMOTE_ADDR, or the NUM_PROXIES-th
    address from the right of X-Forwarded-For when the app runs behind that many proxies.

    Never the client-supplied left end of X-Forwarded-For, which anyone can forge.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    proxies = api_settings.NUM_PROXIES
    if not proxies or not forwarded:
        return remote_addr
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))]


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for logins that come with a request (the admin's login form).

    ``authenticate()`` without a request (Django's test client ``login()``, scripts)
    is not a network login attempt and has no address to count it against, so it is
    left to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
