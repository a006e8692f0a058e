"""Sellables: another app's things sold by the shop (the contract is proven by the tiny test app
in a process of its own, where it is installed; here the LMS declares only "course" and "seat")."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.commerce.services import sellables
from tests.utils import run_with_hookapp

pytestmark = pytest.mark.django_db


def test_a_kind_no_app_declares_is_refused(shop):
    with pytest.raises(ValidationError, match="No app declares"):
        sellables.sellable_offer(
            app="lms", kind="gift-card", ref_id=1, title="x", price="1", quantity_limit=1, shop=shop
        )


def test_an_app_declares_sells_fulfils_and_undoes_a_sellable_through_its_hook_alone():
    run_with_hookapp("tests/hookapp/sellable_checks.py")
