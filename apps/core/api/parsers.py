"""Request bodies: strict JSON through orjson, refused with a 400 in the error shape when unusable.

DRF's stock parser goes through the standard library, which accepts lone UTF-16
surrogates and arbitrarily large integers and overflows the Python stack on
deeply nested arrays; each of those later surfaced as a 500. orjson rejects
invalid UTF-8, lone surrogates, NaN/Infinity, integers beyond 64 bits and
nesting deeper than 1,024 levels as malformed JSON. NUL characters are valid
JSON but PostgreSQL cannot store them in text, so they are refused here too.
"""

import orjson
from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self, limit: int):
        super().__init__(f"The request body is larger than the limit of {limit} bytes.")


def _contains_nul(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


class JSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read(limit + 1 if limit is not None else -1) if stream is not None else b""
        if limit is not None and len(raw) > limit:
            # RequestGuardMiddleware refuses announced large bodies; this catches the rest.
            raise RequestTooLarge(limit)
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if _contains_nul(data):
            raise ParseError("JSON strings may not contain NUL (\\u0000) characters.")
        return data
