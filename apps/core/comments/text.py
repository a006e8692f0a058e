"""How a comment's text is shown: Markdown, reduced to a small allowlist, links made safe.

Comments are stored as the reader typed them (services.comment_body_clean) and turned into HTML
only here, on the way out, so no stored markup can ever run: raw HTML typed into a comment is
shown as text, only ``http(s)`` links survive, each with ``rel="nofollow ugc noopener"``, and a
``## heading`` becomes a bold paragraph rather than an h2 in the page's outline. The rules are
those of apps.core.blocks.markdown, shared with the other plain-text fields.
"""

from __future__ import annotations

from django.utils.safestring import SafeString

from apps.core.blocks.markdown import COMMENT_LINK_REL, comment_markdown

LINK_REL = COMMENT_LINK_REL


def comment_html(text: str) -> SafeString:
    """``text`` (Markdown) as HTML: paragraphs, line breaks, emphasis, code, quotes, lists and
    http(s) links (rel="nofollow ugc noopener"); raw HTML and other link schemes stay text."""
    return comment_markdown(text)
