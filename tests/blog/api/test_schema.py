"""The blog API in the OpenAPI schema and the API root."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

OPERATIONS = {
    ("/api/v1/blog/", "get"),
    ("/api/v1/blog/posts/", "get"),
    ("/api/v1/blog/posts/", "post"),
    ("/api/v1/blog/posts/mine/", "get"),
    ("/api/v1/blog/posts/review/", "get"),
    ("/api/v1/blog/posts/{id}/draft/", "get"),
    ("/api/v1/blog/posts/{id}/draft/", "patch"),
    ("/api/v1/blog/posts/{id}/submit/", "post"),
    ("/api/v1/blog/posts/{id}/publish/", "post"),
    ("/api/v1/blog/posts/{id}/request-changes/", "post"),
    ("/api/v1/blog/posts/{id}/schedule/", "post"),
    ("/api/v1/blog/posts/{id}/schedule/", "delete"),
    ("/api/v1/blog/posts/{id}/unpublish/", "post"),
    ("/api/v1/blog/posts/{slug}/", "get"),
    ("/api/v1/blog/posts/{slug}/comments/", "get"),
    ("/api/v1/blog/categories/", "get"),
    ("/api/v1/blog/categories/", "post"),
    ("/api/v1/blog/tags/", "get"),
}


def test_the_schema_generates_without_a_warning(tmp_path: Path) -> None:
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))

    assert "/api/v1/blog/posts/" in yaml.safe_load(target.read_text())["paths"]


def test_the_schema_describes_every_blog_endpoint(db) -> None:  # type: ignore[no-untyped-def]
    schema = yaml.safe_load(APIClient().get("/api/schema/").content)

    found = {(path, method) for path, ops in schema["paths"].items() if "/blog/" in path for method in ops}
    assert found == OPERATIONS
    for path, method in OPERATIONS:
        operation = schema["paths"][path][method]
        assert operation["tags"] == ["blog"], (path, method)
        assert {"200", "201"} & operation["responses"].keys(), (path, method)
        if method != "get" or path.endswith(("/mine/", "/review/", "/draft/")):
            assert {"401", "403"} <= operation["responses"].keys(), (path, method)
    listing = schema["paths"]["/api/v1/blog/posts/"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {"category", "tag", "author", "q", "page", "page_size"}
    assert "409" in schema["paths"]["/api/v1/blog/posts/{id}/draft/"]["patch"]["responses"]


def test_the_api_root_links_the_blog(db) -> None:  # type: ignore[no-untyped-def]
    links = APIClient().get("/api/v1/").json()["links"]

    assert links["blog_posts"].endswith("/api/v1/blog/posts/")
    assert links["blog_categories"].endswith("/api/v1/blog/categories/")
    assert links["blog_tags"].endswith("/api/v1/blog/tags/")
