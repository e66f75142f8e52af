"""A shared response cache for anonymous reads that can never serve a stale answer.

Anonymous clients all see the same published data, so the rendered answer to an anonymous
GET can be reused by every worker, through the default cache (Redis when ``REDIS_URL`` is
set). Each entry is keyed by the request and by the data version it was read at
(apps/core/data_version.py), which the database moves on with every committed write,
whichever way it writes. An entry is therefore only ever found by a request that would read
the same data. A transaction that has written but not committed sees data no version names
yet, so it neither reads nor fills the cache.

Throttling is checked before the cache is consulted, and its counters live in the same
cache, so limits hold across workers.
"""

import datetime
import hashlib
import time
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.http import http_date

from apps.core.data_version import data_version

# The headers a cached answer needs to be the same answer; the middleware adds the rest.
_KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified")


def _cache_key(request) -> str | None:
    if settings.RESPONSE_CACHE_SECONDS <= 0 or request.method != "GET" or request.user.is_authenticated:
        return None
    version = data_version()
    if version is None:
        return None
    identity = "\n".join([str(version), request.get_full_path(), request.META.get("HTTP_ACCEPT", "")])
    return "response:" + hashlib.sha256(identity.encode()).hexdigest()


class CachedReadsMixin:
    """For viewsets: every GET of an anonymous client is answered from the shared response cache."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions and throttling first
        key = _cache_key(request)
        # A streamed file (a claims export) is never held whole, so it is not kept either.
        if key is not None and not getattr(self, "streamed", False):
            # DRF looks the method's handler up once initial() has returned: this request's GET
            # is answered through the cache, whichever action (list, retrieve) serves it.
            self.get = partial(_answer_from_cache, key, self.get)


def _answer_from_cache(key: str, handler, request, *args, **kwargs):
    hit = cache.get(key)
    if hit is not None:
        content, headers = hit
        return HttpResponse(content, headers=headers)
    response = handler(request, *args, **kwargs)
    if response.status_code == 200:
        response.add_post_render_callback(lambda rendered: _store(key, rendered))
    return response


def content_etag(content: bytes) -> str:
    """A strong ETag for a body: equal exactly when the bytes a client gets are equal."""
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def last_modified(at: datetime.datetime | None) -> str | None:
    """``at`` as a Last-Modified value; None while its second lasts: an HTTP date counts whole seconds, so a
    client holding it could not tell a later change in the same second (RFC 9110, section 8.8.2.2)."""
    if at is None or int(at.timestamp()) >= int(time.time()):
        return None
    return http_date(at.timestamp())


def _store(key: str, response) -> None:
    if not response.has_header("ETag"):  # computed once per entry, not by the middleware on every hit
        response["ETag"] = content_etag(response.content)
    headers = {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)}
    cache.set(key, (response.content, headers), settings.RESPONSE_CACHE_SECONDS)
