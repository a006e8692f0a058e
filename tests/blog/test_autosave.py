"""The editor's autosave: the post form posted as JSON-answered drafts through the publishing
engine (draft_save with the revision the editor opened). Every refusal is the API's JSON error
shape, never a redirect or a 500."""

from __future__ import annotations

import json

import pytest

from apps.blog import selectors
from apps.blog.models import Post
from apps.core.publishing import services as publishing
from tests.blog.factories import make_post, paragraph
from tests.blog.test_views import WHO, editor_form


def autosave_url(post: Post) -> str:
    return f"/blog/posts/{post.pk}/autosave/"


@pytest.fixture
def draft(author):
    return make_post(author=author, title="Autosaved", slug="autosaved")


def test_an_autosave_saves_a_new_revision_of_the_draft_and_names_it(client_for, author, draft):
    form = editor_form(draft, body=json.dumps([paragraph("Typed <b>just now</b>.", "p1")]))

    response = client_for(author).post(autosave_url(draft), form)

    assert response.status_code == 200
    answer = response.json()
    assert answer["revision"] == 2 and answer["edit_url"] == f"/blog/posts/{draft.pk}/edit/"
    assert answer["autosave_url"] == autosave_url(draft)
    draft.refresh_from_db()
    assert draft.latest_revision == 2 and not draft.live
    assert selectors.post_draft_content(draft)["body"] == [
        {"type": "rich_text", "id": "p1", "html": "<p>Typed <b>just now</b>.</p>"}
    ]


def test_the_same_content_again_stores_nothing_new(client_for, author, draft):
    client = client_for(author)
    first = client.post(autosave_url(draft), editor_form(draft, excerpt="Once")).json()["revision"]

    again = client.post(autosave_url(draft), editor_form(draft, excerpt="Once", based_on=first)).json()

    assert again["revision"] == first == 2


def test_a_new_posts_first_autosave_creates_its_draft(client_for, author):
    response = client_for(author).post("/blog/write/autosave/", editor_form(title="Straight from the editor"))

    assert response.status_code == 200
    post = Post.objects.get(title="Straight from the editor")
    assert post.author == author and post.latest_revision == 1 and not post.live
    assert response.json()["autosave_url"] == autosave_url(post)


def test_a_stale_autosave_answers_the_conflict_with_their_version_and_writes_nothing(
    client_for, author, blog_admin, draft
):
    theirs = {**selectors.post_draft_content(draft), "body": [paragraph("Their words.", "t1")]}
    publishing.draft_save(obj=draft, content=theirs, author=blog_admin, based_on=1)
    mine = editor_form(draft, body=json.dumps([paragraph("My words.", "m1")]), based_on=1)

    response = client_for(author).post(autosave_url(draft), mine)

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "conflict" and error["message"] == "Someone else saved this draft."
    assert error["conflict"]["revision"] == 2
    assert error["conflict"]["body"] == [{"type": "rich_text", "id": "t1", "html": "<p>Their words.</p>"}]
    assert "Their words." in error["conflict"]["body_html"]
    draft.refresh_from_db()
    assert draft.latest_revision == 2  # mine was not written; the editor keeps it

    # Keeping mine: the next autosave is based on their revision, which stays in the history.
    kept = client_for(author).post(autosave_url(draft), {**mine, "based_on": 2})
    assert kept.status_code == 200 and kept.json()["revision"] == 3
    assert "Their words." in str(publishing.revisions.revision_read(draft, 2)["content"]["body"])


def test_only_those_who_may_edit_the_post_may_autosave_it(people, client_for, draft):
    def status(who: str) -> int:
        draft.refresh_from_db()  # each editor opens the newest revision
        return client_for(people[who]).post(autosave_url(draft), editor_form(draft, excerpt=who)).status_code

    statuses = {who: status(who) for who in WHO}

    assert statuses == {
        "author": 200,
        "other_author": 403,
        "blog_admin": 200,
        "admin": 200,
        "member": 403,
        "anonymous": 403,
    }


def test_a_refusal_is_the_apis_json_error_shape(client_for, member, draft):
    response = client_for(member).post(autosave_url(draft), editor_form(draft))

    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "permission_denied"
    anonymous = client_for(None).post("/blog/write/autosave/", editor_form())
    assert anonymous.status_code == 403 and anonymous.json()["error"]["status"] == 403


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": "not json"}, "The body is not valid JSON."),
        ({"body": json.dumps([{"type": "banner"}])}, "unknown type 'banner'"),
        ({"body": json.dumps([{"type": "image", "src": "https://evil.example/x.png", "alt": "x"}])}, "src"),
        ({"title": ""}, "This field is required."),
        ({"based_on": "many"}, "Enter a whole number."),
        ({"body": json.dumps({"type": "heading"})}, "list"),
    ],
)
def test_bad_input_answers_400_naming_the_problem(client_for, author, draft, changes, message):
    response = client_for(author).post(autosave_url(draft), editor_form(draft, **changes))

    assert response.status_code == 400
    error = response.json()["error"]
    assert message in json.dumps(error)
    draft.refresh_from_db()
    assert draft.latest_revision == 1


def test_other_methods_and_missing_posts_are_answered_too(client_for, author, draft):
    client = client_for(author)

    assert client.get(autosave_url(draft)).status_code == 405
    missing = client.post("/blog/posts/999999/autosave/", editor_form(draft))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_the_editor_page_loads_the_writers_editor_and_names_its_autosave_address(client_for, author, draft):
    client = client_for(author)

    new = client.get("/blog/write/").content.decode()
    edit = client.get(f"/blog/posts/{draft.pk}/edit/").content.decode()

    assert 'data-autosave="/blog/write/autosave/"' in new
    assert f'data-autosave="/blog/posts/{draft.pk}/autosave/"' in edit
    for html in (new, edit):
        assert "/static/vendor/tiptap/tiptap.bundle.min.js" in html and "/static/js/rich-editor.js" in html
        assert "data-rich-editor" in html and 'name="body"' in html  # the JSON textarea, without JavaScript
        assert "docs/blocks.md" not in html and "block-editor.js" not in html
