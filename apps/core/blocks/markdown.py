"""Markdown in plain-text fields: what people type as ``## A heading``, ``**bold**`` or ``- one``
is shown formatted, never literally.

One parser for every such field (markdown-it-py, CommonMark), then nh3, so the allowlist decides
what reaches the page whatever the parser does:

- Raw HTML typed into the text is never passed through: the parser runs with ``html`` off, so
  ``<script>`` comes out as the text ``&lt;script&gt;``; nh3 would drop it anyway.
- Links are only ``http(s)`` (``mailto`` too in prose); ``[x](javascript:alert(1))`` stays text
  (the parser refuses the address) and nh3 would drop the ``href`` if it did not.
- Headings become a bold paragraph (``<p><strong>``): a comment or an excerpt sits inside a page
  whose outline belongs to the page, so a reader's ``## A heading`` must not add an h2 to it.
- Images are not parsed (``![x](url)`` stays text): a comment must not load a third party's
  picture (a tracking pixel) in every reader's browser, and excerpts have the post's cover.
- Single line breaks are kept as ``<br>``, as people typing in a textarea expect.
- Bare addresses starting with ``http://`` or ``https://`` become links (linkify-it-py, with its
  fuzzy matching of bare domains and e-mail addresses off); the address shown is shortened.

Two profiles: :func:`comment_markdown` for what any signed-in reader writes (every link gets
``rel="nofollow ugc noopener"``) and :func:`prose_markdown` for what authors and staff write
(post excerpts, category descriptions, review notes, bios), whose links go through the rich-text
sanitiser's rule (``nofollow`` only on links that leave the site). :func:`markdown_text` gives
the words alone, for a ``<meta name="description">`` or a search snippet.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from apps.core.blocks.html import sanitize_html

COMMENT_LINK_REL = "nofollow ugc noopener"
# What a comment may contain once rendered; headings were already turned into <p><strong>.
COMMENT_TAGS = frozenset({"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"})
_SHOWN_URL_LENGTH = 60
# Rendering is a pure function of the text and costs ~0.2 ms (the parser is pure Python, against
# ~0.02 ms for the escaping it replaced): a thread's comments and a list's excerpts are rendered on
# every view, so each process keeps the latest few thousand results.
_RENDERED_TEXTS = 2048


def _heading_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "<p><strong>"


def _heading_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</strong></p>\n"


def _shorten_linkified_addresses(state: StateCore) -> None:
    """A long bare address is shown cut to 60 characters; its ``href`` keeps all of it."""
    for block in state.tokens:
        children = block.children or []
        for before, token in zip(children, children[1:], strict=False):
            linkified = before.type == "link_open" and before.markup == "linkify" and token.type == "text"
            if linkified and len(token.content) > _SHOWN_URL_LENGTH:
                token.content = token.content[: _SHOWN_URL_LENGTH - 1] + "…"


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": True, "typographer": False})
    md.enable("linkify")
    md.disable("image")
    # Only addresses written with their scheme are linked: "example.com" or "a@b.c" stay text,
    # and so do ftp: and scheme-relative //host addresses.
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    for schema in ("ftp:", "//", "mailto:"):
        md.linkify.add(schema, None)
    md.core.ruler.after("linkify", "shorten_addresses", _shorten_linkified_addresses)
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    return md


def _render(text: str) -> str:
    return _parser().render(text.strip()) if text and text.strip() else ""


@lru_cache(maxsize=_RENDERED_TEXTS)
def comment_markdown(text: str) -> SafeString:
    """A comment's text as HTML: Markdown, reduced to :data:`COMMENT_TAGS`, http(s) links only,
    each with ``rel="nofollow ugc noopener"``."""
    html = nh3.clean(
        _render(text),
        tags=set(COMMENT_TAGS),
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=COMMENT_LINK_REL,
        strip_comments=True,
    )
    return mark_safe(html.strip())  # noqa: S308 - nh3 has just reduced it to the allowlist


@lru_cache(maxsize=_RENDERED_TEXTS)
def prose_markdown(text: str) -> SafeString:
    """Short prose by an author or staff (an excerpt, a description, a note) as HTML: Markdown,
    through the rich-text sanitiser (its tags, http(s)/mailto links, ``nofollow`` on external ones)."""
    return mark_safe(sanitize_html(_render(text)).strip())  # noqa: S308 - sanitised just above


def markdown_text(text: str) -> str:
    """The words of Markdown ``text`` without its marks, on one line (for meta descriptions)."""
    words: list[str] = []
    for block in _parser().parse(text or ""):
        for token in block.children or []:
            if token.type in {"text", "code_inline"}:
                words.append(token.content)
            elif token.type in {"softbreak", "hardbreak"}:
                words.append(" ")
        if block.type in {"paragraph_close", "heading_close", "code_block", "fence"}:
            words.append(block.content if block.type in {"code_block", "fence"} else " ")
    return " ".join("".join(words).split())
