"""Markdown in plain-text fields: comments, post excerpts, category descriptions, bios and notes."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from apps.core.blocks.markdown import markdown_text, prose_markdown
from apps.core.comments.text import comment_html


def _filter(text: str) -> str:
    """What a template gets from ``{{ value|markdown }}`` (excerpts, descriptions, bios, notes)."""
    return Template("{% load markdown_tags %}{{ value|markdown }}").render(Context({"value": text}))


# Each field shown to readers that people type prose into, with the renderer it goes through.
RENDERERS = {
    "comment body": comment_html,
    "post excerpt": _filter,
    "category description": _filter,
    "profile bio": prose_markdown,
    "review note": prose_markdown,
}
FIELDS = pytest.mark.parametrize("render", RENDERERS.values(), ids=RENDERERS.keys())


@FIELDS
def test_a_heading_is_shown_bold_and_never_as_hashes_nor_as_an_outline_heading(render):
    html = render("## A heading\n\nText.")

    assert "<p><strong>A heading</strong></p>" in html
    assert "##" not in html and "<h2" not in html


@FIELDS
def test_bold_and_emphasis_are_shown_without_their_stars(render):
    html = render("**bold** and *slanted*")

    assert html == "<p><strong>bold</strong> and <em>slanted</em></p>"


@FIELDS
def test_a_bulleted_list_is_a_list(render):
    html = render("Things:\n\n- one\n- two")

    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html and "- one" not in html


@FIELDS
def test_quotes_and_code_are_kept(render):
    html = render("> said\n\n`x < y`")

    assert "<blockquote>" in html and "<code>x &lt; y</code>" in html


@FIELDS
def test_a_link_keeps_its_address(render):
    html = render("[the docs](https://docs.example/a?b=1&c=2)")

    assert 'href="https://docs.example/a?b=1&amp;c=2"' in html and ">the docs</a>" in html


@FIELDS
@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        '<p style="color:red">x</p>',
        "<!-- hidden -->",
    ],
)
def test_raw_html_typed_into_the_text_is_shown_as_text(render, text):
    html = render(text)

    assert set(re.findall(r"<[^>]*>", html)) == {"<p>", "</p>"}  # the typed tags are text: &lt;...&gt;
    assert html.startswith("<p>&lt;")


@FIELDS
@pytest.mark.parametrize(
    "text",
    ["[x](javascript:alert(1))", "[x](JAVASCRIPT:alert(1))", "[x](data:text/html,<b>x</b>)", "[x](vbscript:msgbox)"],
)
def test_a_link_to_a_script_is_never_a_link(render, text):
    html = render(text)

    assert "<a" not in html and "href" not in html


@FIELDS
def test_images_are_not_loaded_from_the_text(render):
    assert "<img" not in render("![pixel](https://tracker.example/p.png)")


def test_links_in_comments_are_nofollow_ugc_and_only_http():
    html = comment_html("[a](https://a.example) and https://b.example/x, not ftp://c.example or d.example")

    assert html.count('rel="nofollow ugc noopener"') == 2
    assert "ftp://c.example" in html and 'href="ftp' not in html and 'href="d.example' not in html


def test_links_in_prose_are_nofollow_only_when_they_leave_the_site():
    html = prose_markdown("[out](https://elsewhere.example) and [in](/blog/)")

    assert '<a href="https://elsewhere.example" rel="noopener noreferrer nofollow">out</a>' in html
    assert '<a href="/blog/">in</a>' in html


def test_empty_text_renders_nothing():
    assert comment_html("") == "" and prose_markdown("  \n ") == "" and _filter(None) == ""


def test_markdown_text_gives_the_words_for_a_meta_description():
    text = "## Title\n\n**Bold** words, a [link](https://x.example) and `code`.\n\n- one\n- two"

    assert markdown_text(text) == "Title Bold words, a link and code. one two"
    assert markdown_text("<script>x</script>") == "<script>x</script>"  # text: the template escapes it
    assert Template("{% load markdown_tags %}{{ v|markdown_text }}").render(Context({"v": "<b>**x**</b>"})) == (
        "&lt;b&gt;x&lt;/b&gt;"
    )


@pytest.mark.django_db
def test_the_post_page_shows_a_comments_markdown_formatted(client):
    from tests.blog.factories import PostFactory
    from tests.core.comments.factories import CommentFactory

    post = PostFactory(live=True)
    CommentFactory(target=post, body="## Good point\n\n**Agreed**, and:\n\n- one\n- two\n\n<script>alert(1)</script>")

    html = client.get(post.get_absolute_url()).content.decode()

    assert "<p><strong>Good point</strong></p>" in html and "<li>one</li>" in html
    assert "## Good point" not in html and "**Agreed**" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
