"""The schemathesis run of tests/core/api/test_openapi_fuzz.py over the shop's operations, with
shop content seeded so that ids, slugs and order numbers in paths name real products, variants,
order parts and orders: a shop of the cast's shop owner with a live product and a draft, a paid
order of the member, a cart and a checkout in progress. No 5xx, every answer as documented."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.core.api.auth_views import issue_tokens
from tests.commerce.factories import ShopFactory, make_paid_order, make_product, variant_of
from tests.commerce.shopping import ready_checkout
from tests.core.api.test_openapi_fuzz import CHECKS, MAX_EXAMPLES, InTestTransaction, api_schema, openapi_schema

SHOP_OPERATIONS = [
    (path, method)
    for path, item in openapi_schema()["paths"].items()
    if path.startswith("/api/v1/shop/")
    for method in item
]


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/min", "user": "100000/min", "auth": "100000/min"}
    )


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


def _strategy(operation: Any, seeded: dict[str, Any]) -> st.SearchStrategy[Any]:
    strategies = []
    for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
        strategies.append(operation.as_strategy(generation_mode=mode))
        for values in _known_values(operation, seeded):
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=values))
    return st.one_of(strategies)


@pytest.mark.parametrize(("path", "method"), SHOP_OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in SHOP_OPERATIONS])
def test_every_shop_answer_conforms_to_the_schema_over_real_shop_content(
    path: str, method: str, cast: dict[str, Any], shop_seeded: dict[str, Any], unthrottled: None
) -> None:
    operation = api_schema()[path][method]
    app = InTestTransaction()
    headers_of = {
        who: {} if user is None else {"Authorization": f"Bearer {issue_tokens(user)['access']}"}
        for who, user in cast.items()
    }

    @settings(
        max_examples=MAX_EXAMPLES * 2,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, shop_seeded))
    def answers_conform(case: schemathesis.Case) -> None:
        for who, headers in headers_of.items():
            response = case.call(app=app, headers=headers)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except Exception as failure:
                failure.add_note(f"as {who}")
                raise

    answers_conform()
