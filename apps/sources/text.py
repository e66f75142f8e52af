"""How a received document becomes a source's stored text."""

import hashlib
import re

# Underlining tags and an unterminated link fragment are the only markup the
# received documents carry; nothing else is touched, so quotes stay verbatim.
_MARKUP = re.compile(r"</?u>|<a\b[^>\n]*(?:>|$)", re.MULTILINE)


def strip_markup(raw: str) -> str:
    return _MARKUP.sub("", raw)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
