"""A shared response cache for anonymous reads that can never serve a stale answer.

Anonymous clients all see the same published data, so the rendered answer to an anonymous
GET can be reused by every worker, through the default cache (Redis when ``REDIS_URL`` is
set). Each entry holds the data version it was read at (apps/core/data_version.py), which the
database moves on with every committed write, whichever way it writes, and is only reused by
a request that reads the same version. A transaction that has written but not committed sees
data no version names yet, so it neither reads nor fills the cache.

Views opt in with ``CachedReadsMixin``: the view decides what may be shared (an anonymous GET,
not a streamed file) and reads the version before its data. ``ResponseCacheMiddleware`` keeps
the answer once every middleware inside it has added its headers, and answers the next such
request before the session, authentication, URL routing and DRF run at all; the middlewares
outside it (CORS, security, validators and 304s, cache policy) still see every answer. A
reused answer is counted against the same throttles as the view it comes from, whose counters
live in the same cache, so limits hold across workers.
"""

import datetime
import functools
import hashlib
import time
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.utils.http import http_date

from apps.core.api.throttling import RATE_LIMIT_HEADERS, admitted
from apps.core.auth import sent_credentials
from apps.core.data_version import data_version


def _may_be_shared(request) -> bool:
    """Whether the answer to ``request`` may be kept and reused: an anonymous GET, the cache being on.

    Credentials are judged by their presence, as no database may be read before the cache is: a
    request carrying any goes through its view, which tells a curator from an anonymous client.
    """
    return settings.RESPONSE_CACHE_SECONDS > 0 and request.method == "GET" and not sent_credentials(request)


# The files whose change can change an answer: the project's code, templates and static files, and the
# pinned versions of the libraries that render them.
CODE_ROOTS = ("apps", "claims_api", "requirements.txt")
CODE_SUFFIXES = frozenset({".py", ".html", ".txt", ".css", ".js", ".svg"})


@functools.cache
def code_identity() -> str:
    """A digest of the code this process runs, part of every key: answers rendered by other code (before a
    deploy, or by the other half of a rolling one) are never reused, even at the same data version."""
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    files = sorted(
        path
        for root in map(base.joinpath, CODE_ROOTS)
        for path in (root.rglob("*") if root.is_dir() else [root])
        if path.suffix in CODE_SUFFIXES and path.is_file()
    )
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _cache_key(request) -> str | None:
    """Where an anonymous GET's answer is kept; None for a request whose answer is never shared."""
    if not _may_be_shared(request):
        return None
    # The address as the client wrote it, host and scheme included: answers link to it absolutely.
    identity = "\n".join([request.build_absolute_uri(), request.META.get("HTTP_ACCEPT", "")])
    return f"response:{code_identity()}:{hashlib.sha256(identity.encode()).hexdigest()}"


# What an answer may vary on and still be kept: Accept is in the key; a request with credentials (a session
# cookie, an Authorization header) never reaches the cache, and no anonymous answer depends on other cookies.
KEPT_DESPITE_VARY = frozenset({"accept", "authorization", "cookie"})


def keepable(response) -> bool:
    varies_on = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and varies_on <= KEPT_DESPITE_VARY
    )


class SharedAnswer(NamedTuple):
    """An answer as a view and the middlewares inside the cache's gave it, for the version it was read at.

    Plain values only (the throttles by their dotted paths), so that an entry written by other code is
    still read, and then left unused: its key names the code it was rendered by (``code_identity``).
    """

    version: int
    content: bytes
    headers: dict[str, str]
    throttles: tuple[str, ...]
    throttle_scope: str | None

    @classmethod
    def of(cls, response, version: int, throttles: tuple[str, ...], throttle_scope: str | None) -> "SharedAnswer":
        if not response.has_header("ETag"):  # computed once per entry, not by the middleware on every reuse
            response["ETag"] = content_etag(response.content)
        # The rate limit is counted for each request; everything else is the same for every reader.
        headers = {name: value for name, value in response.items() if name not in RATE_LIMIT_HEADERS}
        return cls(version, response.content, headers, throttles, throttle_scope)

    def answer(self, request) -> HttpResponse | None:
        """This answer for ``request``; None when the data has changed since or a throttle refuses the
        request (the view then answers it, with its 429)."""
        try:
            if data_version() != self.version:
                return None
        except DatabaseError:  # the view meets the same error, and answers it as every other (a 503)
            return None
        rate_limit = admitted(self.throttles, self.throttle_scope, request)
        if rate_limit is None:
            return None
        return HttpResponse(self.content, headers={**self.headers, **rate_limit})


class ResponseCacheMiddleware:
    """Answers an anonymous GET from the shared response cache, and keeps the answers views let it share."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _cache_key(request)
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        answer = SharedAnswer(*entry).answer(request) if isinstance(entry, tuple) else None
        if answer is not None:
            return answer
        response = self.get_response(request)
        shared = getattr(response, "shared_answer", None)
        if shared is not None and keepable(response):
            entry = SharedAnswer.of(response, *shared)
            cache.set(key, tuple(entry), settings.RESPONSE_CACHE_SECONDS)
        return response


class CachedReadsMixin:
    """For views: the answer to an anonymous GET may be kept by ``ResponseCacheMiddleware`` and reused."""

    shared_version: int | None = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions and throttling first
        # A streamed file (a claims export) is never held whole, so it is not kept either.
        if _may_be_shared(request) and not request.user.is_authenticated and not getattr(self, "streamed", False):
            self.shared_version = data_version()  # before the view reads its data

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.shared_version is not None:
            throttles = tuple(f"{cls.__module__}.{cls.__qualname__}" for cls in map(type, self.get_throttles()))
            response.shared_answer = (self.shared_version, throttles, getattr(self, "throttle_scope", None))
        return response

    def date_response(self, response, at: datetime.datetime | None) -> None:
        """Gives ``response`` the Last-Modified of ``at``. While ``at``'s second lasts the date is left out
        (``last_modified``), and the answer is not kept: reused, it would go without one until the next write."""
        if (date := last_modified(at)) is not None:
            response["Last-Modified"] = date
        elif at is not None:
            self.shared_version = None


def content_etag(content: bytes) -> str:
    """A strong ETag for a body: equal exactly when the bytes a client gets are equal."""
    return f'"{hashlib.sha256(content).hexdigest()[:32]}"'


def last_modified(at: datetime.datetime | None) -> str | None:
    """``at`` as a Last-Modified value; None while its second lasts: an HTTP date counts whole seconds, so a
    client holding it could not tell a later change in the same second (RFC 9110, section 8.8.2.2)."""
    if at is None or int(at.timestamp()) >= int(time.time()):
        return None
    return http_date(at.timestamp())
