"""Request guards and response headers that apply before and after every view."""

from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from apps.core.api.errors import error_response

JSON_PREFIXES = ("/api/", "/healthz", "/readyz")


def answers_json(path: str) -> bool:
    return path.startswith(JSON_PREFIXES)


def _refusal(request, status_code: int, code: str, detail: str, field: str | None = None):
    if answers_json(request.path):
        errors = [{"field": field, "code": code, "message": detail}] if field else None
        return error_response(status_code=status_code, code=code, detail=detail, errors=errors)
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
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
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


class ApiResponseHeadersMiddleware:
    """Headers for JSON answers: no active content, and caches keep each client's view apart.

    Curators see drafts and notes that anonymous clients must not, so a shared
    cache has to key responses on the credentials (``Vary``), and responses to
    authenticated requests are marked private.
    """

    CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not answers_json(request.path):
            return response
        patch_vary_headers(response, ["Authorization", "Cookie"])
        if response.get("Content-Type", "").startswith("application/json"):
            response.setdefault("Content-Security-Policy", self.CONTENT_SECURITY_POLICY)
        # Judged from the request's credentials, not request.user, so that no database access is needed.
        if "HTTP_AUTHORIZATION" in request.META or settings.SESSION_COOKIE_NAME in request.COOKIES:
            response.setdefault("Cache-Control", "private")
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
