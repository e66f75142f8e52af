"""DRF's rate throttles, announcing their limit on every response (IETF RateLimit header fields).

    RateLimit-Policy: "anon";q=120;w=60     120 requests in a sliding window of 60 s
    RateLimit: "anon";r=117;t=42            117 left; one more frees up in 42 s

A client can slow down before it is refused, not only after a 429.
"""

import math

from rest_framework import throttling


class RateLimitHeadersMixin:
    def allow_request(self, request, view):
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None:  # None: this throttle does not apply to the request
            # view.headers is added to whatever response the view returns, a 429 included.
            view.headers.update(self.rate_limit_headers())
        return allowed

    def rate_limit_headers(self) -> dict[str, str]:
        remaining = max(0, self.num_requests - len(self.history))
        oldest = self.history[-1] if self.history else self.now
        reset = max(1, math.ceil(self.duration - (self.now - oldest)))
        return {
            "RateLimit-Policy": f'"{self.scope}";q={self.num_requests};w={self.duration}',
            "RateLimit": f'"{self.scope}";r={remaining};t={reset}',
        }


class AnonRateThrottle(RateLimitHeadersMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(RateLimitHeadersMixin, throttling.UserRateThrottle):
    """Authenticated clients only: anonymous ones have the anon quota, and one policy to read."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
