from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from apps.core import blocks
from apps.core.blocks import block_types, clean_blocks, register_slot, render_blocks, text_of
from apps.core.blocks import slots as slot_registry
from tests.core.images import stored_key

EXTERNAL_REL = 'rel="noopener noreferrer nofollow"'
IMAGE = "uploads/blocks/" + "0" * 32 + ".webp"  # the image_key fixture stores it


@pytest.fixture
def filesystem_storage(settings, tmp_path):  # type: ignore[no-untyped-def]
    """Storage names become /media/ URLs, whatever storage the run is configured with."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path, "base_url": "/media/"},
        },
    }


@pytest.fixture
def image_key() -> str:
    """An uploaded block image's key (the file exists in the test's storage)."""
    return stored_key()


@pytest.fixture
def isolated_slots(monkeypatch):  # type: ignore[no-untyped-def]
    """Slots registered by a test disappear after it."""
    monkeypatch.setattr(slot_registry, "_slots", dict(slot_registry._slots))


def visitor(user: Any = None):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/about/")
    request.user = user or AnonymousUser()
    return request


def errors_of(raw: Any, **kwargs: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        clean_blocks(raw, **kwargs)
    return caught.value.messages


def render_one(block: dict[str, Any], **kwargs: Any) -> str:
    return str(render_blocks(clean_blocks([block]), **kwargs))


# --- Each type: clean, then render -----------------------------------------------------------


def test_a_heading_renders_at_its_level():
    [block] = clean_blocks([{"type": "heading", "text": "  Our story  ", "level": 3}])

    assert block["text"] == "Our story"
    html = str(render_blocks([block]))
    assert html.startswith('<div class="blocks">')
    assert f'<h3 class="block block-heading" data-block-id="{block["id"]}">Our story</h3>' in html


def test_rich_text_keeps_allowed_markup():
    source = (
        "<h2>Intro</h2><p>Some <strong>bold</strong>, <em>em</em>, <u>u</u>, <s>s</s> and <code>x = 1</code>.</p>"
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quoted</blockquote><pre>code</pre><hr>"
        '<a href="/about/" title="About">about</a>'
    )
    [block] = clean_blocks([{"type": "rich_text", "html": source}])

    for fragment in (
        "<h2>Intro</h2>",
        "<strong>bold</strong>",
        "<ul><li>one</li></ul>",
        "<blockquote>quoted</blockquote>",
    ):
        assert fragment in block["html"]
    assert '<a href="/about/" title="About">about</a>' in block["html"]  # internal: no rel
    html = render_one({"type": "rich_text", "html": source})
    assert '<div class="block block-rich-text"' in html and "<ol><li>two</li></ol>" in html


def test_an_uploaded_image_renders_lazily_at_its_storage_url_with_alt_and_caption(filesystem_storage):
    key = stored_key()
    html = render_one({"type": "image", "src": key, "alt": "The sea", "caption": "Taken at dawn"})

    assert f'<img src="/media/{key}" alt="The sea" loading="lazy" decoding="async">' in html
    assert "<figcaption>Taken at dawn</figcaption>" in html


def test_a_decorative_image_has_an_empty_alt(image_key):
    html = render_one({"type": "image", "src": image_key, "alt": "", "decorative": True})

    assert 'alt=""' in html
    assert "<figcaption>" not in html


IMAGE_SOURCES_REFUSED = [
    ("https://cdn.example.com/a.png", "src must be an image uploaded to this site (an external URL is refused"),
    ("http://cdn.example.com/a.png", "src must be an image uploaded to this site (an external URL is refused"),
    ("//cdn.example.com/a.png", "src must be an image uploaded to this site (an external URL is refused"),
    ("data:image/png;base64,iVBOR", "src must be the key of an image uploaded to this site (uploads/blocks/"),
    ("javascript:alert(1)", "src must be the key of an image uploaded to this site"),
    ("blocks/sea.jpg", "src must be the key of an image uploaded to this site"),
    ("blog/covers/2026/" + "a" * 32 + "_1600x900_960w.webp", "src must be the key of an image uploaded"),
    ("uploads/blocks/../../config/settings.py", "src must be the key of an image uploaded to this site"),
    ("uploads/blocks/" + "0" * 32 + ".webp/../x.webp", "src must be the key of an image uploaded"),
    ("../settings.py", "src must be the key of an image uploaded to this site"),
    ("/etc/passwd", "src must be the key of an image uploaded to this site"),
    ("/static/img/logo.png", "src must be the key of an image uploaded to this site"),
    (
        "uploads/blocks/" + "f" * 32 + ".webp",
        "src names no uploaded image (uploads/blocks/" + "f" * 32 + ".webp is not",
    ),
    ("", "src must not be empty (upload an image)"),
]


@pytest.mark.parametrize(
    ("src", "expected"), IMAGE_SOURCES_REFUSED, ids=[src or "empty" for src, _ in IMAGE_SOURCES_REFUSED]
)
def test_an_image_block_refuses_any_source_but_an_uploaded_image_naming_its_position_and_field(src, expected):
    body = [{"type": "heading", "text": "Hi", "level": 2}, {"type": "image", "src": src, "alt": "A"}]

    messages = errors_of(body)

    assert len(messages) == 1 and messages[0].startswith(f"Block 2 (image): {expected}"), messages


def test_an_image_block_inside_columns_names_its_column_when_its_source_is_external(image_key):
    body = [
        {
            "type": "columns",
            "columns": [
                [{"type": "image", "src": image_key, "alt": "Ours"}],
                [{"type": "image", "src": "https://cdn.example.com/a.png", "alt": "Theirs"}],
            ],
        }
    ]

    [message] = errors_of(body)

    assert message.startswith(
        "Block 1 (columns), column 2, block 1 (image): src must be an image uploaded to this site"
    )


def test_an_image_block_accepts_an_uploaded_key(image_key):
    [block] = clean_blocks([{"type": "image", "src": f"  {image_key} ", "alt": "A"}])

    assert block["src"] == image_key


def test_an_image_stored_as_its_media_url_is_kept_as_its_key(settings, image_key):
    [block] = clean_blocks([{"type": "image", "src": f"{settings.MEDIA_URL}{image_key}", "alt": "A"}])

    assert block["src"] == image_key


def test_a_media_url_of_a_file_that_is_not_there_is_refused(settings):
    missing = "uploads/blocks/" + "e" * 32 + ".webp"

    messages = errors_of([{"type": "image", "src": f"{settings.MEDIA_URL}{missing}", "alt": "A"}])

    assert messages == [
        f"Block 1 (image): src names no uploaded image ({missing} is not in the storage); upload the image again"
    ]


def test_an_external_image_stored_around_clean_blocks_is_not_rendered():
    stored = [{"type": "image", "id": "i1", "src": "https://cdn.example.com/a.png", "alt": "Theirs"}]

    assert render_blocks(stored) == ""


def test_a_storage_name_outside_the_block_uploads_stored_around_clean_blocks_is_not_rendered(filesystem_storage):
    # Another upload's name (an export, a private file) must never get a storage URL in a page.
    stored = [{"type": "image", "id": "i1", "src": "exports/orders.csv", "alt": "x"}]

    assert render_blocks(stored) == ""


def test_a_call_to_action_is_a_button_and_secondary_is_a_ghost_button():
    primary = render_one({"type": "cta", "text": "Join", "url": "/accounts/register/"})
    secondary = render_one({"type": "cta", "text": "Mail us", "url": "mailto:hi@example.com", "style": "secondary"})

    assert '<a class="button" href="/accounts/register/">Join</a>' in primary
    assert '<a class="button button--ghost" href="mailto:hi@example.com">Mail us</a>' in secondary


def test_columns_render_a_grid_of_their_blocks():
    [block] = clean_blocks(
        [
            {
                "type": "columns",
                "columns": [
                    [{"type": "heading", "text": "Left", "level": 2}],
                    [{"type": "rich_text", "html": "<p>Middle</p>"}],
                    [{"type": "cta", "text": "Right", "url": "/r/"}],
                ],
            }
        ]
    )
    html = str(render_blocks([block]))

    assert '<div class="block block-columns block-columns--3"' in html
    assert html.count('<div class="block-column">') == 3
    assert html.index("Left") < html.index("Middle") < html.index("Right")


def test_the_signup_prompt_slot_asks_anonymous_visitors_to_register_or_sign_in():
    html = render_one({"type": "slot", "name": "signup_prompt"}, request=visitor())

    assert 'data-slot="signup_prompt"' in html
    assert 'href="/accounts/register/"' in html
    assert 'href="/accounts/login/?next=/about/"' in html


def test_the_signup_prompt_slot_shows_nothing_to_a_signed_in_member(member):
    assert render_one({"type": "slot", "name": "signup_prompt"}, request=visitor(member)) == ""


def test_the_signup_prompt_slot_shows_nothing_when_no_visitor_is_known():
    assert render_one({"type": "slot", "name": "signup_prompt"}) == ""


def test_a_registered_slot_gets_its_options(isolated_slots):
    register_slot("latest_posts", lambda request, options: f"<ol><li>{options['limit']} posts</li></ol>")

    html = render_one({"type": "slot", "name": "latest_posts", "options": {"limit": 3}})

    assert "<ol><li>3 posts</li></ol>" in html


def test_a_failing_slot_renders_nothing_and_the_rest_of_the_body_still_shows(isolated_slots, caplog):
    def broken(request, options):  # type: ignore[no-untyped-def]
        raise RuntimeError("the shop is down")

    register_slot("featured_products", broken)
    body = clean_blocks(
        [{"type": "slot", "name": "featured_products"}, {"type": "heading", "text": "Still", "level": 2}]
    )

    html = str(render_blocks(body))

    assert "Still" in html and "featured_products" not in html
    assert "featured_products" in caplog.text


# --- Validation: every message names the block's position and the field ---------------------

H = {"type": "heading", "text": "Title", "level": 2}
INVALID = [
    ([{"type": "banner"}], "Block 1: unknown type 'banner'"),
    (["heading"], "Block 1: must be an object with a type"),
    ([{"text": "No type"}], "Block 1: unknown type 'None'"),
    ([{"type": "heading", "text": "T"}], "Block 1 (heading): level is required"),
    ([{"type": "heading", "level": 2}], "Block 1 (heading): text is required"),
    ([{**H, "level": "2"}], "Block 1 (heading): level must be a whole number from 2 to 4"),
    ([{**H, "level": 5}], "Block 1 (heading): level must be a whole number from 2 to 4"),
    ([{**H, "level": True}], "Block 1 (heading): level must be a whole number from 2 to 4"),
    ([{**H, "text": 7}], "Block 1 (heading): text must be text"),
    ([{**H, "text": "   "}], "Block 1 (heading): text must not be empty"),
    ([{**H, "text": "x" * 201}], "Block 1 (heading): text must be at most 200 characters (it has 201)"),
    ([{**H, "text": "a\x00b"}], "Block 1 (heading): text must not contain control characters"),
    ([{**H, "colour": "red"}], "Block 1 (heading): colour is not a field of this type"),
    ([{"type": "rich_text"}], "Block 1 (rich_text): html is required"),
    ([{"type": "rich_text", "html": ["<p>"]}], "Block 1 (rich_text): html must be text"),
    (
        [{"type": "rich_text", "html": "<p>" + "x" * 50_001 + "</p>"}],
        "Block 1 (rich_text): html must be at most 50,000 characters after cleaning",
    ),
    ([{"type": "image", "src": IMAGE}], "Block 1 (image): alt is required"),
    ([{"type": "image", "alt": "A"}], "Block 1 (image): src is required"),
    ([{"type": "image", "src": IMAGE, "alt": ""}], "Block 1 (image): alt is required (describe the image"),
    ([{"type": "image", "src": IMAGE, "alt": "x" * 301}], "Block 1 (image): alt must be at most 300 characters"),
    (
        [{"type": "image", "src": IMAGE, "alt": "A", "decorative": True}],
        "Block 1 (image): alt must be empty for a decorative image",
    ),
    ([{"type": "image", "src": IMAGE, "alt": "A", "decorative": "yes"}], "Block 1 (image): decorative must be"),
    ([{"type": "image", "src": IMAGE, "alt": "A", "caption": 3}], "Block 1 (image): caption must be text"),
    ([{"type": "image", "src": "javascript:alert(1)", "alt": "A"}], "Block 1 (image): src must be the key of an"),
    ([{"type": "image", "src": "data:image/png;base64,iVBOR", "alt": "A"}], "Block 1 (image): src must be the key"),
    ([{"type": "image", "src": "https://cdn.example.com/a.png", "alt": "A"}], "Block 1 (image): src must be an image"),
    ([{"type": "cta", "text": "Go"}], "Block 1 (cta): url is required"),
    ([{"type": "cta", "text": "", "url": "/"}], "Block 1 (cta): text must not be empty"),
    ([{"type": "cta", "text": "x" * 81, "url": "/"}], "Block 1 (cta): text must be at most 80 characters"),
    (
        [{"type": "cta", "text": "Go", "url": "javascript:alert(1)"}],
        "Block 1 (cta): url must start with http://, https://, mailto: or /",
    ),
    ([{"type": "cta", "text": "Go", "url": "ftp://example.com/"}], "Block 1 (cta): url must start with http://"),
    ([{"type": "cta", "text": "Go", "url": "about/"}], "Block 1 (cta): url must start with http://"),
    ([{"type": "cta", "text": "Go", "url": "//evil.example"}], "Block 1 (cta): url must start with http://"),
    ([{"type": "cta", "text": "Go", "url": "/", "style": "loud"}], "Block 1 (cta): style must be one of 'primary', "),
    ([{"type": "columns", "columns": [[H]]}], "Block 1 (columns): columns must be a list of 2 to 4 columns"),
    ([{"type": "columns", "columns": [[]] * 5}], "Block 1 (columns): columns must be a list of 2 to 4 columns"),
    ([{"type": "columns", "columns": [H, H]}], "Block 1 (columns): columns must hold lists of blocks"),
    ([{"type": "slot", "name": "no_such_slot"}], "Block 1 (slot): name must be a registered slot"),
    ([{"type": "slot", "name": "signup_prompt", "options": []}], "Block 1 (slot): options must be an object"),
    (
        [{"type": "slot", "name": "signup_prompt", "options": {"limit": 25}}],
        "Block 1 (slot): options.limit must be a whole number from 1 to 24",
    ),
    ([{"type": "slot", "name": "signup_prompt", "options": {"limit": 0}}], "Block 1 (slot): options.limit must be"),
    ([{"type": "slot", "name": "signup_prompt", "options": {"limit": "3"}}], "Block 1 (slot): options.limit must"),
    ([{"type": "slot", "name": "signup_prompt", "options": {"Bad Key": 1}}], "Block 1 (slot): options keys must be"),
    ([{"type": "slot", "name": "signup_prompt", "options": {"tag": {}}}], "Block 1 (slot): options.tag must be text"),
]


@pytest.mark.parametrize(("raw", "expected"), INVALID, ids=[expected for _, expected in INVALID])
def test_an_invalid_block_is_refused_with_a_message_naming_its_position_and_field(raw, expected, image_key):
    messages = errors_of(raw)

    assert any(message.startswith(expected) for message in messages), messages


def test_the_message_counts_blocks_from_one_and_names_the_column_inside_columns():
    body = [
        H,
        {"type": "columns", "columns": [[H], [H, {"type": "cta", "text": "Go", "url": "javascript:x"}]]},
        {"type": "cta", "text": "Go", "url": "javascript:alert(1)"},
    ]

    assert errors_of(body) == [
        "Block 2 (columns), column 2, block 2 (cta): url must start with http://, https://, mailto: or /",
        "Block 3 (cta): url must start with http://, https://, mailto: or /",
    ]


def test_all_problems_of_a_body_are_reported_at_once():
    messages = errors_of([{"type": "heading", "text": "", "level": 9}, {"type": "banner"}])

    assert messages == [
        "Block 1 (heading): text must not be empty",
        "Block 1 (heading): level must be a whole number from 2 to 4",
        "Block 2: unknown type 'banner' (use one of: heading, rich_text, image, cta, columns, slot)",
    ]


def test_a_body_must_be_a_list():
    assert errors_of({"type": "heading"}) == ["The body must be a list of blocks."]


def test_a_body_may_hold_at_most_200_blocks_counting_those_inside_columns():
    assert len(clean_blocks([H] * 200)) == 200
    assert "at most 200 blocks" in errors_of([H] * 201)[0]

    wide = {"type": "columns", "columns": [[H] * 50, [H] * 50]}
    assert "(this one has 202)" in errors_of([wide, wide])[0]


def test_columns_inside_columns_are_refused():
    inner = {"type": "columns", "columns": [[H], [H]]}

    assert errors_of([{"type": "columns", "columns": [[inner], [H]]}]) == [
        "Block 1 (columns), column 1, block 1 (columns): columns cannot be placed inside columns"
    ]


def test_an_unknown_slot_is_refused_unless_the_caller_knows_it():
    # (A name no domain registers: the blog does register latest_posts.)
    assert "signup_prompt" in errors_of([{"type": "slot", "name": "not_yet_built"}])[0]  # lists the real ones

    [block] = clean_blocks([{"type": "slot", "name": "not_yet_built"}], known_slots={"not_yet_built"})
    assert block["name"] == "not_yet_built" and block["options"] == {}


def test_a_stored_slot_that_nobody_fills_renders_nothing():
    stored = [{"type": "slot", "id": "s1", "name": "not_yet_built", "options": {"limit": 3}}]

    assert render_blocks(stored, request=visitor()) == ""


# --- Cross-site scripting ---------------------------------------------------------------------

RICH_TEXT_ATTACKS = [
    ("<p>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
    ('<p>Hi<img src="x" onerror="alert(1)"></p>', "<p>Hi</p>"),
    ('<a href="javascript:alert(1)">click</a>', "<a>click</a>"),
    ('<a href="JaVaScRiPt&#x3a;alert(1)">click</a>', "<a>click</a>"),
    ('<p style="background:url(javascript:alert(1))" onclick="alert(1)">Hi</p>', "<p>Hi</p>"),
    ('<iframe src="https://evil.example/">inside</iframe><p>Hi</p>', "<p>Hi</p>"),
    ('<svg onload="alert(1)"><circle r="1"></circle></svg><p>Hi</p>', "<p>Hi</p>"),
    ("<style>p{display:none}</style><p>Hi</p>", "<p>Hi</p>"),
    ('<form action="/x"><input name="a"></form><p>Hi</p>', "<p>Hi</p>"),
]


@pytest.mark.parametrize(("attack", "expected"), RICH_TEXT_ATTACKS)
def test_rich_text_loses_scripts_handlers_styles_and_frames_on_clean(attack, expected):
    [block] = clean_blocks([{"type": "rich_text", "html": attack}])

    assert block["html"] == expected


def test_plain_text_is_escaped_on_render():
    html = render_one({"type": "heading", "text": "<script>alert(1)</script>", "level": 2})

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script" not in html


def test_rich_text_stored_unclean_is_still_sanitised_on_render():
    # Written around clean_blocks (or by an older version of the rules).
    stored = [
        {
            "type": "rich_text",
            "id": "r1",
            "html": '<p onmouseover="x()" style="color:red">Hi<script>alert(1)</script>'
            '<a href="javascript:alert(1)">a</a><a href="https://evil.example/" rel="opener">b</a></p>',
        }
    ]

    html = str(render_blocks(stored))

    assert "<script" not in html and "javascript:" not in html and "onmouseover" not in html
    assert "style=" not in html and 'rel="opener"' not in html
    assert f'<a href="https://evil.example/" {EXTERNAL_REL}>b</a>' in html


def test_urls_stored_unclean_are_not_rendered():
    stored = [
        {"type": "cta", "id": "c1", "text": "Go", "url": "javascript:alert(1)"},
        {"type": "image", "id": "i1", "src": "data:text/html,<script>alert(1)</script>", "alt": "x"},
        {"type": "image", "id": "i2", "src": "javascript:alert(1)", "alt": "x"},
    ]

    assert render_blocks(stored) == ""


def test_external_links_get_rel_noopener_and_internal_ones_do_not():
    [block] = clean_blocks(
        [
            {
                "type": "rich_text",
                "html": '<a href="https://example.org/">out</a> <a href="//example.org/">also out</a> '
                '<a href="/inside/">in</a> <a href="#top">top</a>',
            }
        ]
    )

    assert f'<a href="https://example.org/" {EXTERNAL_REL}>out</a>' in block["html"]
    assert f'<a href="//example.org/" {EXTERNAL_REL}>also out</a>' in block["html"]
    assert '<a href="/inside/">in</a>' in block["html"] and '<a href="#top">top</a>' in block["html"]
    external_cta = render_one({"type": "cta", "text": "Out", "url": "https://example.org/"})
    assert EXTERNAL_REL in external_cta


def test_a_rendered_body_has_no_inline_script_or_style_for_the_csp(image_key):
    body = clean_blocks(
        [
            H,
            {"type": "rich_text", "html": '<p style="color:red" onclick="x()">Hi</p><script>x()</script>'},
            {"type": "image", "src": image_key, "alt": "A"},
            {"type": "cta", "text": "Go", "url": "/"},
            {"type": "columns", "columns": [[H], [H], [H], [H]]},
            {"type": "slot", "name": "signup_prompt"},
        ]
    )

    html = str(render_blocks(body, request=visitor()))

    assert "style=" not in html and "<script" not in html
    assert not re.search(r"\son[a-z]+=", html)  # no event-handler attributes


# --- Ids and purity ------------------------------------------------------------------------------


def test_every_block_gets_a_short_id_and_a_well_formed_one_is_kept():
    body = clean_blocks(
        [
            {**H, "id": "intro-1"},
            H,
            {"type": "columns", "columns": [[H], [{**H, "id": "left_2"}]]},
        ]
    )

    assert body[0]["id"] == "intro-1"
    assert body[2]["columns"][1][0]["id"] == "left_2"
    generated = [body[1]["id"], body[2]["id"], body[2]["columns"][0][0]["id"]]
    assert all(4 <= len(i) <= 16 and i.replace("-", "").replace("_", "").isalnum() for i in generated)
    assert len({*generated, "intro-1", "left_2"}) == 5


def test_a_malformed_or_repeated_id_is_replaced():
    body = clean_blocks([{**H, "id": "<b>"}, {**H, "id": 42}, {**H, "id": "same"}, {**H, "id": "same"}])

    ids = [block["id"] for block in body]
    assert "<b>" not in ids and 42 not in ids
    assert ids[2] == "same" and ids[3] != "same"
    assert len(set(ids)) == 4


def test_ids_survive_a_second_clean_so_revisions_can_be_compared():
    once = clean_blocks([H, {"type": "columns", "columns": [[H], [H]]}])

    assert clean_blocks(once) == once


def test_clean_never_changes_its_input(image_key):
    raw = [
        {"type": "heading", "text": "  Padded  ", "level": 2},
        {"type": "rich_text", "html": "<p>Hi<script>x</script></p>"},
        {"type": "columns", "columns": [[{"type": "image", "src": image_key, "alt": "A"}], []]},
        {"type": "slot", "name": "signup_prompt", "options": {"limit": 3}},
    ]
    before = copy.deepcopy(raw)

    cleaned = clean_blocks(raw)

    assert raw == before
    assert cleaned[0] is not raw[0] and cleaned[3]["options"] is not raw[3]["options"]
    assert cleaned[2]["columns"][0] is not raw[2]["columns"][0]


def test_a_cleaned_body_is_plain_json(image_key):
    body = clean_blocks([H, {"type": "image", "src": image_key, "alt": "A"}, {"type": "cta", "text": "Go", "url": "/"}])

    assert json.loads(json.dumps(body)) == body
    assert body[1]["decorative"] is False and body[1]["caption"] == ""  # defaults are filled in
    assert body[2]["style"] == "primary"


# --- Reading --------------------------------------------------------------------------------------


def test_rendering_skips_types_it_does_not_know_and_an_empty_body_renders_nothing():
    assert render_blocks([]) == ""
    assert render_blocks([{"type": "carousel", "id": "x"}, "junk", None]) == ""
    html = str(render_blocks([{"type": "carousel"}, {"type": "heading", "id": "h", "text": "Kept", "level": 2}]))
    assert "Kept" in html


def test_block_types_describes_the_six_types_and_their_limits():
    schema = block_types()

    assert list(schema) == ["heading", "rich_text", "image", "cta", "columns", "slot"]
    assert schema["heading"]["fields"]["level"] == {"type": "integer", "minimum": 2, "maximum": 4, "required": True}
    assert schema["heading"]["fields"]["text"]["max_length"] == 200
    assert schema["rich_text"]["fields"]["html"]["max_length"] == 50_000
    assert schema["cta"]["fields"]["style"]["choices"] == ["primary", "secondary"]
    assert schema["columns"]["fields"]["columns"]["min_items"] == 2
    assert "signup_prompt" in schema["slot"]["fields"]["name"]["choices"]
    assert all("id" in spec["fields"] for spec in schema.values())
    json.dumps(schema)  # an editor and the API docs read it as JSON


def test_text_of_returns_the_readable_text_of_a_body(image_key):
    body = clean_blocks(
        [
            {"type": "heading", "text": "Opening hours", "level": 2},
            {
                "type": "rich_text",
                "html": "<p>Mon&ndash;Fri &amp; <b>Sat</b></p><ul><li>9 to 5</li><li>closed Sun</li></ul>",
            },
            {"type": "image", "src": image_key, "alt": "Our door", "caption": "The front door"},
            {"type": "columns", "columns": [[{"type": "cta", "text": "Book a visit", "url": "/book/"}], []]},
            {"type": "slot", "name": "signup_prompt"},
        ]
    )

    assert text_of(body) == "Opening hours\nMon–Fri & Sat\n9 to 5\nclosed Sun\nThe front door\nBook a visit"


def test_rendering_a_hundred_images_makes_no_database_query(db, django_assert_num_queries):
    keys = [stored_key(f"{n:032x}") for n in range(100)]
    body = clean_blocks([{"type": "image", "src": key, "alt": f"Photo {n}"} for n, key in enumerate(keys)])

    with django_assert_num_queries(0):
        html = str(render_blocks(body, request=visitor()))

    assert html.count("<img ") == 100


def test_image_urls_come_from_the_configured_storage(s3_storage, s3_server, s3_bucket):
    key = stored_key()
    html = render_one({"type": "image", "src": key, "alt": "A"})

    assert f'src="{s3_server}/{s3_bucket}/media/{key}?' in html


def test_the_example_body_in_the_documentation_is_valid():
    docs = (Path(__file__).resolve().parents[3] / "docs" / "blocks.md").read_text()
    example = docs.split("## An example body", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    stored_key("5f2b9c0e7d4a41b6a8e3c2d1f0e9b8a7")  # the example's image, as if uploaded

    body = clean_blocks(json.loads(example), known_slots={"upcoming_courses"})

    assert [block["id"] for block in body] == ["intro", "welcome", "hero", "three-ways", "join", "contact"]
    assert f'<a href="https://example.org/" {EXTERNAL_REL}>partner</a>' in body[1]["html"]


def test_the_public_api_is_the_package():
    assert set(blocks.__all__) >= {"clean_blocks", "render_blocks", "block_types", "text_of", "register_slot"}
