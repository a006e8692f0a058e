"""Rich text: the one sanitiser (used on write and again on render) and plain-text extraction."""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

RICH_TEXT_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "u", "s", "a", "ul", "ol", "li"}
    | {"blockquote", "code", "pre", "h2", "h3", "h4", "hr"}
)
RICH_TEXT_ATTRIBUTES = {"a": {"href", "title"}}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
EXTERNAL_REL = "noopener noreferrer nofollow"
# Removed together with their content: what is inside them is code or a document, not text.
_DROP_WITH_CONTENT = {"script", "style", "iframe", "noscript", "template", "textarea", "select", "object", "title"}
# Tags after which plain text starts a new line.
_BLOCK_TAGS = frozenset({"p", "br", "li", "ul", "ol", "blockquote", "pre", "h2", "h3", "h4", "hr"})


def is_external_url(url: str) -> bool:
    """Whether a link leaves the site: an http(s) URL or a scheme-relative one (``//host``).

    Browsers read a backslash as a slash, so ``/\\host`` and ``\\\\host`` count as external too.
    """
    url = url.strip()
    if url.replace("\\", "/").startswith("//"):
        return True
    return urlsplit(url).scheme.lower() in {"http", "https"}


class _LinkRel(HTMLParser):
    """Re-serialises nh3's output, adding ``rel`` to links that leave the site.

    nh3 can only add one ``rel`` to every link; external ones need ``nofollow`` and internal
    ones should not get it. Everything is re-escaped on the way out, so this pass cannot
    introduce markup nh3 did not allow.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parts = [f' {name}="{escape(value or "", quote=True)}"' for name, value in attrs if name != "rel"]
        href = dict(attrs).get("href")
        if tag == "a" and href and is_external_url(href):
            parts.append(f' rel="{EXTERNAL_REL}"')
        # A parser drops one newline right after <pre>; writing one keeps a leading blank line
        # (and makes cleaning twice give what cleaning once gave).
        self.out.append(f"<{tag}{''.join(parts)}>" + ("\n" if tag == "pre" else ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))


def sanitize_html(html: str) -> str:
    """Rich text reduced to the allowed tags, attributes and URL schemes, with ``rel`` on external links."""
    cleaned = nh3.clean(
        html,
        tags=set(RICH_TEXT_TAGS),
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes={tag: set(names) for tag, names in RICH_TEXT_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        link_rel=None,
        strip_comments=True,
    )
    parser = _LinkRel()
    parser.feed(cleaned)
    parser.close()
    return "".join(parser.out)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.handle_starttag(tag, [])

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def html_to_text(html: str) -> str:
    """The text of (sanitised) rich text: one line per paragraph, list item or heading."""
    parser = _Text()
    parser.feed(sanitize_html(html))
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.out).splitlines())
    return "\n".join(line for line in lines if line)
