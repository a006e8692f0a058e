"""A session's roles come from the fragment cache under the user's role version: a steady
session reads no role rows, and a grant or revocation is seen by the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.accounts import services

pytestmark = pytest.mark.django_db


def _role_queries(client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "core_role" in q["sql"]]


def test_a_steady_session_reads_its_roles_from_the_cache(client_for, user_with_role):
    client = client_for(user_with_role("blog_admin"))
    assert _role_queries(client, "/dashboard/blog/")  # the session's first request reads them
    assert _role_queries(client, "/dashboard/blog/") == []


def test_a_grant_and_a_revocation_apply_to_the_next_request(client_for, member):
    client = client_for(member)
    assert client.get("/dashboard/blog/").status_code in (302, 403)
    services.role_grant(actor=None, user=member, role="blog_admin")
    assert client.get("/dashboard/blog/").status_code == 200
    services.role_revoke(actor=None, user=member, role="blog_admin")
    assert client.get("/dashboard/blog/").status_code in (302, 403)
