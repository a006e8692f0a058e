"""How a comment's plain text is shown: everything escaped, http(s) addresses as links, line
breaks kept.

Comments are stored as the reader typed them (services.comment_body_clean)
and turned into HTML only here, on the way out, so no stored markup can ever run. Only
addresses written with ``http://`` or ``https://`` become links (django's urlize would also link
bare domains and e-mail addresses); each piece of text, and each address in its ``href``, is
escaped on its own, so ``<script>``, ``javascript:`` and ``<img onerror=...>`` stay text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

LINK_REL = "nofollow ugc noopener"
_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n{2,}")
# Punctuation that ends a sentence rather than an address: "see https://example.com/a."
_TRAILING = ".,;:!?*_'\"]}>"
_SHOWN_URL_LENGTH = 60


def _trim(candidate: str) -> str:
    """The address inside ``candidate``, without the punctuation that follows it; a closing
    parenthesis stays when the address opened it (https://en.wikipedia.org/wiki/Go_(game))."""
    url = candidate
    while url:
        last = url[-1]
        if last in _TRAILING or (last == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


def _link(url: str) -> str:
    shown = url if len(url) <= _SHOWN_URL_LENGTH else url[: _SHOWN_URL_LENGTH - 1] + "…"
    return format_html('<a href="{}" rel="{}">{}</a>', url, LINK_REL, shown)


def _linkify(text: str) -> str:
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = _trim(match.group())
        end = match.start() + len(url)
        parts.append(escape(text[position : match.start()]))
        parts.append(_link(url) if urlsplit(url).hostname else escape(url))
        position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def comment_html(text: str) -> SafeString:
    """``text`` as HTML: paragraphs at blank lines, <br> at single line breaks, links for
    http(s) addresses (rel="nofollow ugc noopener"), everything else escaped."""
    paragraphs = [part for part in _PARAGRAPH_BREAK.split(text.strip()) if part.strip()]
    html = "".join(f"<p>{_linkify(paragraph).replace(chr(10), '<br>')}</p>" for paragraph in paragraphs)
    return mark_safe(html)  # noqa: S308 - every piece above was escaped or built by format_html
