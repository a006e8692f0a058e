"""The shop's cast: who is asking, for the permission matrix of every page, action and endpoint."""

from __future__ import annotations

import pytest

from tests.commerce.factories import ShopFactory


@pytest.fixture
def owner(user_with_role):
    return user_with_role("shop_owner", display_name="Olive Owner")


@pytest.fixture
def other_owner(user_with_role):
    return user_with_role("shop_owner", display_name="Otto Otherowner")


@pytest.fixture
def customer(user_with_role):
    return user_with_role(None, display_name="Cass Customer")


@pytest.fixture
def other_customer(user_with_role):
    return user_with_role(None, display_name="Cole Othercustomer")


@pytest.fixture
def admin(user_with_role):
    return user_with_role("admin", display_name="Ada Admin")


@pytest.fixture
def shop(owner):
    return ShopFactory(owner=owner, name="Olive's Oddments", slug="olives")


@pytest.fixture
def other_shop(other_owner):
    return ShopFactory(owner=other_owner, name="Otto's Outfitters", slug="ottos")


@pytest.fixture
def people(owner, other_owner, customer, other_customer, admin):
    """The shop's permission matrix: the owner of ``shop``, the owner of ``other_shop``, a
    customer, another customer, an admin and an anonymous visitor."""
    return {
        "owner": owner,
        "other_owner": other_owner,
        "customer": customer,
        "other_customer": other_customer,
        "admin": admin,
        "anonymous": None,
    }
