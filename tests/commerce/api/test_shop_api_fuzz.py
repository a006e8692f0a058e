"""The schemathesis run of tests/core/api/test_openapi_fuzz.py over the shop's operations, with
shop content seeded so that ids, slugs and order numbers in paths name real products, variants,
order parts and orders: a shop of the cast's shop owner with a live product and a draft, a paid
order of the member, a cart and a checkout in progress. No 5xx, every answer as documented."""

from __future__ import annotations

from typing import Any

import pytest

from tests.commerce.factories import ShopFactory, make_paid_order, make_product, variant_of
from tests.commerce.shopping import ready_checkout
from tests.fuzzing import api_schema, assert_conforms, operations, strategy

SHOP_OPERATIONS = operations("/api/v1/shop/")


@pytest.fixture
def shop_seeded(cast: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    with django_capture_on_commit_callbacks(execute=True):
        shop = ShopFactory(owner=cast["shop_owner"], slug="fuzz-shop")
        live = make_product(shop=shop, slug="fuzz-live", variants=2, stock=50)
        draft = make_product(shop=shop, slug="fuzz-draft", live=False)
        order = make_paid_order(cast["member"], [(variant_of(live), 1)])
        ready_checkout(cast["member"], variant_of(live, 1))
    part = order.parts.get()
    return {
        "ids": [live.pk, draft.pk, variant_of(live).pk, variant_of(draft).pk, part.pk],
        "slugs": [live.slug, draft.slug],
        "numbers": [order.number],
    }


def _known_values(operation: Any, seeded: dict[str, Any]) -> list[dict[str, Any]]:
    names = {parameter.name for parameter in operation.path_parameters}
    for name, key in (("id", "ids"), ("variant_id", "ids"), ("slug", "slugs"), ("number", "numbers")):
        if name in names:
            return [{name: value} for value in seeded[key]]
    return []


@pytest.mark.parametrize(("path", "method"), SHOP_OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in SHOP_OPERATIONS])
def test_every_shop_answer_conforms_to_the_schema_over_real_shop_content(
    path: str, method: str, cast: dict[str, Any], shop_seeded: dict[str, Any], unthrottled: None
) -> None:
    operation = api_schema()[path][method]
    assert_conforms(operation, strategy(operation, _known_values(operation, shop_seeded)), cast)
