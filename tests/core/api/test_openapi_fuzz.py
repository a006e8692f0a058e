"""Property-based tests of the API against its own OpenAPI schema (schemathesis over hypothesis).

Every operation the schema names gets generated requests, valid ones and invalid ones, each sent
anonymously and with a JWT of every role in the cast, in-process through Django's WSGI handler to
the real test database, cache and document store, with content seeded so that ids and slugs in
paths name real posts, drafts and pages. Every answer must be no 5xx and conform to the schema:
its status code documented, its content type documented, its body (and headers) matching.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.blog import services as blog_services
from apps.core.models import SitePage
from apps.core.platform import events
from apps.core.publishing import services as publishing
from tests.blog.factories import CategoryFactory, TagFactory, make_post, paragraph
from tests.core.comments.factories import CommentFactory
from tests.core.factories import DEFAULT_PASSWORD
from tests.fuzzing import api_schema, assert_conforms, operations, strategy

OPERATIONS = operations()


@pytest.fixture
def seeded(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Real content for paths to name: a live post with a comment, category and tag; a draft and a
    submitted post of the blog author; a live site page. On-commit work (events, the activity log)
    runs as it would after a real commit."""
    author, reviewer = cast["blog_author"], cast["blog_admin"]
    with django_capture_on_commit_callbacks(execute=True):
        category, tag = CategoryFactory(name="Travel"), TagFactory(name="rail")
        live = make_post(author=author, live=True, publisher=reviewer, categories=[category], tags=[tag])
        CommentFactory(target=live, author=cast["member"])
        draft = make_post(author=author, body=[paragraph("Half done.")])
        submitted = make_post(author=author)
        blog_services.post_submit(post=submitted, author=author)
        page = publishing.draft_create(
            model=SitePage,
            content={"title": "About", "slug": "about", "body": [], "seo_description": ""},
            author=cast["admin"],
        )
        publishing.publish(obj=page, author=cast["admin"])
    events.deliver_pending()  # the activity log the staff API reads
    return {
        "ids": [live.pk, draft.pk, submitted.pk],
        "slugs": [live.slug, page.slug],
        "credentials": {"email": author.email, "password": DEFAULT_PASSWORD},
    }


def _known_values(operation: Any, seeded: dict[str, Any]) -> list[dict[str, Any]]:
    """Path parameters naming seeded objects, for the operations that take them."""
    names = {parameter.name for parameter in operation.path_parameters}
    if "id" in names:
        return [{"id": pk} for pk in seeded["ids"]]
    if "slug" in names:
        return [{"slug": slug} for slug in seeded["slugs"]]
    return []


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_every_answer_of_the_api_conforms_to_its_schema_for_everyone(
    path: str, method: str, cast: dict[str, Any], seeded: dict[str, Any], unthrottled: None
) -> None:
    operation = api_schema()[path][method]
    extra = []
    if operation.path == "/api/v1/auth/token/":
        extra.append(operation.as_strategy(body=seeded["credentials"], media_type="application/json"))
    assert_conforms(operation, strategy(operation, _known_values(operation, seeded), *extra), cast)
