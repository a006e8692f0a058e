"""The API and the account rule: no API endpoint changes an account; ``me/`` only reads.

Should one ever write (a profile PATCH, say), it goes through the services, which ask
``permissions.account_change_refusal`` as the admin and the operator commands do.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from apps.core.api.auth_views import issue_tokens
from apps.core.models import User


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_me_refuses_every_write_with_the_json_error_and_changes_nothing(user_with_role, method):
    admin = user_with_role("admin")
    before = User.objects.filter(pk=admin.pk).values().get()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_tokens(admin)['access']}")

    body = {"email": "taken@example.com", "is_active": False, "is_superuser": True, "roles": ["super_admin"]}
    response = getattr(api, method)("/api/v1/me/", body, format="json")

    assert response.status_code == 405
    assert response.json()["error"]["status"] == 405
    assert User.objects.filter(pk=admin.pk).values().get() == before
