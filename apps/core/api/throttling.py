"""Rate limits for the API: DRF's throttles, counted by django-ratelimit, announcing their limit on every
response (IETF RateLimit header fields).

    RateLimit-Policy: "anon";q=120;w=60     120 requests in each window of 60 s
    RateLimit: "anon";r=117;t=42            117 left; the window ends in 42 s

A client can slow down before it is refused, not only after a 429.

Each client's requests are counted in windows of the rate's period (each client's windows start at its own
offset, so they do not all end together), with one atomic increment in the shared cache a request. DRF's own
throttles keep the time of every request of the last period in one cache entry, read and written whole
on each request: its cost grows with the rate allowed, to milliseconds a request at thousands a minute.
"""

from types import SimpleNamespace

from django.utils.module_loading import import_string
from django_ratelimit.core import get_usage
from rest_framework import throttling
from rest_framework.request import Request

# The header fields a throttle adds to each answer: they change with every request counted.
RATE_LIMIT_HEADERS = ("RateLimit-Policy", "RateLimit")


class WindowRateThrottle(throttling.SimpleRateThrottle):
    """DRF's rate throttle (its scopes, rates and client identity), counting a client's requests per window."""

    usage: dict | None = None

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:  # this throttle does not apply to the request
            return True
        self.usage = get_usage(
            request,
            group=self.scope,
            key=lambda group, request: self.key,
            rate=(self.num_requests, self.duration),
            increment=True,
        )
        # None: nothing was counted, the cache being unreachable (settings: RATELIMIT_FAIL_OPEN, so that an
        # outage means no throttling rather than refusing everyone) or counting switched off (RATELIMIT_ENABLE).
        if self.usage is None:
            return True
        # view.headers is added to whatever response the view returns, a 429 included.
        view.headers.update(self.rate_limit_headers())
        return not self.usage["should_limit"]

    def wait(self) -> float:
        return self._seconds_left()

    def _seconds_left(self) -> int:
        return max(1, self.usage["time_left"])

    def rate_limit_headers(self) -> dict[str, str]:
        remaining = max(0, self.num_requests - self.usage["count"])
        policy, limit = RATE_LIMIT_HEADERS
        return {
            policy: f'"{self.scope}";q={self.num_requests};w={self.duration}',
            limit: f'"{self.scope}";r={remaining};t={self._seconds_left()}',
        }


class AnonRateThrottle(WindowRateThrottle, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(WindowRateThrottle, throttling.UserRateThrottle):
    """Authenticated clients only: anonymous ones have the anon quota, and one policy to read."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


def admitted(throttles: tuple[str, ...], throttle_scope: str | None, request) -> dict[str, str] | None:
    """Counts a request that sent no credentials against a view's throttles without running the view (its
    answer is reused from the response cache): the rate limit's headers, or None when a throttle refuses it.

    A refused request is then handed to the view, whose 429 is the API's, and is counted again there; a
    client over its limit stays over it.
    """
    anonymous = Request(request)  # no authenticators: DRF's unauthenticated user
    # What a throttle reads of its view (a scoped throttle, its scope), and where it puts its headers.
    view = SimpleNamespace(headers={}, throttle_scope=throttle_scope)
    for throttle_path in throttles:
        if not import_string(throttle_path)().allow_request(anonymous, view):
            return None
    return view.headers
