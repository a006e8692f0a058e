"""Sellables: another app's things sold by the shop (the contract is proven by the tiny test app
in a process of its own, where it is installed; here the LMS declares only "course" and "seat")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from apps.commerce.services import sellables

pytestmark = pytest.mark.django_db


def test_a_kind_no_app_declares_is_refused(shop):
    with pytest.raises(ValidationError, match="No app declares"):
        sellables.sellable_offer(
            app="lms", kind="gift-card", ref_id=1, title="x", price="1", quantity_limit=1, shop=shop
        )


def test_an_app_declares_sells_fulfils_and_undoes_a_sellable_through_its_hook_alone():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/hookapp/sellable_checks.py",
            "--ds=tests.hookapp.settings",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.hookapp.settings"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
