"""Request guards and response headers that apply before and after every view."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import escape_leading_slashes, parse_http_date_safe

from apps.core.api.caching import content_etag
from apps.core.api.errors import PROBLEM_CONTENT_TYPE, answers_json, error_response, field_error
from apps.core.api.throttling import RATE_LIMIT_HEADERS
from apps.core.auth import sent_credentials


def _refusal(request, status_code: int, code: str, detail: str, field: str | None = None):
    if answers_json(request.path):
        errors = [field_error(field=field, where="query", code=code, message=detail)] if field else None
        return error_response(request, status_code=status_code, code=code, detail=detail, errors=errors)
    return HttpResponse(detail, status=status_code, content_type="text/plain; charset=utf-8")


def _query_string_problem(query_string: str) -> tuple[str, str] | None:
    """(parameter, message) for the first parameter that is not UTF-8 or holds NUL, once percent-decoded."""
    try:
        raw = query_string.encode("latin-1")  # WSGI hands over the bytes as latin-1 text
    except UnicodeEncodeError:  # not from a WSGI server: already text
        raw = query_string.encode("utf-8")
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        parameter = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace").replace("\x00", "")
        for part in (name, value):
            try:
                text = unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return parameter, "The query string is not valid UTF-8."
            if "\x00" in text:
                return parameter, "The query string may not contain NUL (%00) characters."
    return None


def body_limit(path: str) -> int | None:
    """The largest request body a path accepts: documents brought in through the intake page are
    larger than any API request (their limit, plus room for the form's other fields)."""
    if path.startswith(settings.DOCUMENT_INTAKE_PATH):
        return settings.DOCUMENT_MAX_BYTES + 64 * 1024
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestGuardMiddleware:
    """Refuse, before any parsing or database access, requests no view can handle safely.

    - a body announced larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE``: 413 (DRF reads
      JSON straight from the stream, so Django's own limit never applies to it);
    - a query string that is not UTF-8 once percent-decoded, or holds NUL: 400
      (Django would silently replace the bytes; PostgreSQL refuses NUL in text);
    - a path holding NUL: 400.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit(request.path)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return _refusal(
                request, 413, "request_too_large", f"The request body is larger than the limit of {limit} bytes."
            )
        problem = _query_string_problem(request.META.get("QUERY_STRING", ""))
        if problem:
            parameter, message = problem
            return _refusal(request, 400, "invalid", message, field=parameter or None)
        if "\x00" in request.path:
            return _refusal(request, 400, "invalid", "The path may not contain NUL (%00) characters.")
        return self.get_response(request)


class PermanentRedirect(HttpResponsePermanentRedirect):
    """308 Permanent Redirect: unlike a 301, the client repeats the request with its method and body."""

    status_code = 308


def slash_appended(path: str, urlconf=None) -> bool:
    """Whether ``path`` names a page only once a trailing slash is appended (``APPEND_SLASH``'s rule).

    As in Django, a view marked ``no_append_slash`` is never redirected to. A path that only a
    catch-all so marked answers (the admin's, which serves no page but redirects or says 404)
    counts as unknown, so ``/admin/claims/claim`` is redirected like any other.
    """
    if path.endswith("/"):
        return False
    try:
        target = resolve(f"{path}/", urlconf)
    except Resolver404:
        return False
    if not getattr(target.func, "should_append_slash", True):
        return False
    try:
        here = resolve(path, urlconf)
    except Resolver404:
        return True
    return not getattr(here.func, "should_append_slash", True)


class TrailingSlashMiddleware:
    """``APPEND_SLASH`` with a 308 Permanent Redirect, whatever the method.

    Django's CommonMiddleware answers a 301, which clients follow with a GET, and under DEBUG
    refuses a POST with a 500; a 308 is followed with the same method and body. Placed before
    CommonMiddleware, it leaves that one no path to append a slash to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.APPEND_SLASH and slash_appended(request.path_info, getattr(request, "urlconf", None)):
            # A path starting "//" would read as another host once redirected to.
            return PermanentRedirect(escape_leading_slashes(request.get_full_path(force_append_slash=True)))
        return self.get_response(request)


class ConditionalGetMiddleware:
    """Validators and 304s for API reads.

    Every successful GET or HEAD under /api/ gets an ``ETag`` (the view's own, or a
    hash of the body) and answers ``If-None-Match`` / ``If-Modified-Since`` with 304
    Not Modified, keeping the headers a client needs to carry on: caching and the
    rate limit. (Django's ConditionalGetMiddleware does the same for GET alone, so a
    HEAD would get no validator.)
    """

    KEPT_ON_NOT_MODIFIED = (*RATE_LIMIT_HEADERS, "Content-Security-Policy")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD") or not request.path.startswith("/api/"):
            return response
        if response.status_code == 200 and not response.streaming and not response.has_header("ETag"):
            if "no-store" not in response.get("Cache-Control", ""):
                response["ETag"] = content_etag(response.content)
        etag = response.get("ETag")
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        if not (etag or last_modified):
            return response
        answer = get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)
        if answer is not response:
            for header in self.KEPT_ON_NOT_MODIFIED:
                if header in response:
                    answer[header] = response[header]
        return answer


class ApiResponseHeadersMiddleware:
    """Headers for JSON answers: no active content, and caches keep each client's view apart.

    Curators see drafts and notes that anonymous clients must not, so a shared
    cache has to key responses on the credentials (``Vary``), and responses to
    authenticated requests are private. Successful anonymous reads of the API are
    public for ``API_CACHE_MAX_AGE`` seconds; errors, probes and writes are never stored.
    """

    CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not answers_json(request.path):
            return response
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if response.get("Content-Type", "").startswith(("application/json", PROBLEM_CONTENT_TYPE)):
            response.setdefault("Content-Security-Policy", self.CONTENT_SECURITY_POLICY)
        if "Cache-Control" in response:
            return response
        if sent_credentials(request):
            patch_cache_control(response, private=True, no_cache=True)
        elif request.method in ("GET", "HEAD") and response.status_code == 200 and request.path.startswith("/api/"):
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_MAX_AGE)
        else:
            patch_cache_control(response, no_store=True)
        return response


class PageResponseHeadersMiddleware:
    """The API's protections for the site's HTML pages (the reading room and its error pages).

    Their policy allows what the pages use, the site's own stylesheet, and nothing else: no
    script at all, no framing, forms that submit only here. The admin, with its own scripts,
    keeps Django's defaults.
    """

    CONTENT_SECURITY_POLICY = (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = request.resolver_match
        is_page = match is None or match.app_name == "reading"
        if is_page and not answers_json(request.path) and response.get("Content-Type", "").startswith("text/html"):
            response.setdefault("Content-Security-Policy", self.CONTENT_SECURITY_POLICY)
        return response
