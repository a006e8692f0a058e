"""A post's text made safe to show: every character escaped, then http(s) addresses, @mentions
and #hashtags turned into links. Nothing the author typed is ever parsed as HTML: the text is cut
into pieces by one pattern and each piece is escaped on its own, so ``<script>`` stays text and
an address cannot break out of its attribute. The result is passed through nh3 as a second
guard, allowing only ``a`` (with href, class, rel) and ``br``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import nh3
from django.urls import reverse
from django.utils.html import escape

HASHTAG_MAX = 100
LINK_REL = "nofollow ugc noopener"

# One pass finds the three kinds; a mention or hashtag must not follow a word character (an email
# address, "C#"), and an address's trailing punctuation is left outside it.
TOKEN = re.compile(
    r"(?P<url>https?://[^\s<>\"'`]+)"
    r"|(?<![\w@/])@(?P<mention>[A-Za-z0-9_]{1,30})(?![\w@])"
    r"|(?<![\w#&/])#(?P<tag>[^\W_][\w]{0,99})",
)
TRAILING = ".,:;!?)]}'\""


@dataclass(frozen=True)
class Parsed:
    mentions: tuple[str, ...]  # handles as typed, first appearance first, no duplicates (case-blind)
    hashtags: tuple[str, ...]  # tags as typed, likewise


def _url_end(url: str) -> str:
    while url and url[-1] in TRAILING:
        # Keep a closing bracket that closes one opened inside the address (Wikipedia's).
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _unique(items: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for item in items:
        seen.setdefault(item.lower(), item)
    return tuple(seen.values())


def parse(text: str) -> Parsed:
    """The mentions and hashtags of ``text`` (addresses are skipped: ``https://x/#a`` tags nothing)."""
    mentions, tags = [], []
    for match in TOKEN.finditer(text):
        if match.group("mention"):
            mentions.append(match.group("mention"))
        elif match.group("tag"):
            tags.append(match.group("tag"))
    return Parsed(mentions=_unique(mentions), hashtags=_unique(tags))


def render(text: str, *, handles: Mapping[str, str]) -> str:
    """``text`` as safe HTML: escaped, line breaks kept, addresses linked with rel="nofollow ugc
    noopener", ``@handle`` linked to a profile when ``handles`` (lower-cased handle -> handle as
    stored) knows it, ``#tag`` linked to its hashtag page."""
    out: list[str] = []
    position = 0
    for match in TOKEN.finditer(text):
        start, end = match.span()
        piece = match.group(0)
        if match.group("url"):
            url = _url_end(piece)
            end = start + len(url)
            link = f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(url)}</a>'
        elif match.group("mention"):
            handle = handles.get(match.group("mention").lower())
            if handle is None:
                continue
            url = reverse("people:profile", args=[handle])
            link = f'<a class="mention" href="{escape(url)}">@{escape(match.group("mention"))}</a>'
        else:
            tag = match.group("tag")
            url = reverse("social:hashtag", args=[tag.lower()])
            link = f'<a class="hashtag" href="{escape(url)}">#{escape(tag)}</a>'
        out.append(escape(text[position:start]))
        out.append(link)
        position = end
    out.append(escape(text[position:]))
    html = "".join(out).replace("\r\n", "\n").replace("\n", "<br>")
    return nh3.clean(
        html,
        tags={"a", "br"},
        attributes={"a": {"href", "class"}},
        url_schemes={"http", "https"},
        link_rel=None,
        set_tag_attribute_values={"a": {"rel": LINK_REL}},
    )
