"""Absolute URLs of one route for many objects, reversed once rather than once per object."""

from urllib.parse import quote

from django.utils.http import RFC3986_SUBDELIMS
from rest_framework.reverse import reverse

# Matches the routers' lookup pattern ([^/.]+) and is left as it is by URL quoting.
_SLOT = "~lookup~"
# What Django's reverse() leaves unquoted in a path.
_SAFE = RFC3986_SUBDELIMS + "/~:@"


class UrlPattern:
    """``UrlPattern("api:claim-detail", "pk", request)(42)`` is what DRF's ``reverse`` gives for pk 42,
    the value quoted as Django quotes it."""

    def __init__(self, view_name: str, lookup: str, request, *, sample: str = _SLOT):
        # ``sample``: a value the route's pattern accepts, when it does not take the default slot.
        url, question_mark, query = reverse(view_name, kwargs={lookup: sample}, request=request).partition("?")
        # The lookup is in the path; a query string DRF carries over (?format=…) may hold anything.
        self.head, _, tail = url.rpartition(sample)
        self.tail = tail + question_mark + query

    def __call__(self, value) -> str:
        if isinstance(value, int):  # nothing to quote
            return f"{self.head}{value}{self.tail}"
        return f"{self.head}{quote(value, safe=_SAFE)}{self.tail}"
