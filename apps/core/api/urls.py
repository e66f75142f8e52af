"""Absolute URLs of one route for many objects, reversed once rather than once per object."""

from rest_framework.reverse import reverse

# Matches the routers' lookup pattern ([^/.]+) and is left as it is by URL quoting.
_SLOT = "~lookup~"


class UrlPattern:
    """``UrlPattern("api:claim-detail", "pk", request)(42)`` is what DRF's ``reverse`` gives for pk 42.

    For lookups whose values need no quoting in a URL: integers, slugs, country codes.
    """

    def __init__(self, view_name: str, lookup: str, request):
        self.head, self.tail = reverse(view_name, kwargs={lookup: _SLOT}, request=request).split(_SLOT)

    def __call__(self, value) -> str:
        return f"{self.head}{value}{self.tail}"
