"""Stock counts: the constraint refuses an oversell whatever the code computes."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from apps.commerce import stock
from apps.commerce.models import Stock
from tests.commerce.factories import make_product, variant_of

pytestmark = pytest.mark.django_db


def _row(variant_id: int) -> Stock:
    return Stock.objects.get(variant_id=variant_id)


def test_reserve_allocate_ship_walks_the_counts():
    variant = variant_of(make_product(stock=5))
    with transaction.atomic():
        stock.reserve({variant.pk: 3})
    assert (_row(variant.pk).reserved, _row(variant.pk).available) == (3, 2)
    with transaction.atomic():
        stock.allocate({variant.pk: 3})
    row = _row(variant.pk)
    assert (row.reserved, row.allocated, row.available) == (0, 3, 2)
    with transaction.atomic():
        stock.ship({variant.pk: 3})
    row = _row(variant.pk)
    assert (row.quantity, row.allocated, row.available) == (2, 0, 2)
    with transaction.atomic():
        stock.restock({variant.pk: 1})
    assert _row(variant.pk).available == 3


def test_reserve_refuses_more_than_available_and_changes_nothing():
    first = variant_of(make_product(stock=5))
    second = variant_of(make_product(stock=1))
    with pytest.raises(stock.OutOfStock) as refused, transaction.atomic():
        stock.reserve({first.pk: 2, second.pk: 2})
    assert [(s.variant_id, s.wanted, s.available) for s in refused.value.shortages] == [(second.pk, 2, 1)]
    assert _row(first.pk).reserved == 0 and _row(second.pk).reserved == 0


def test_the_database_refuses_an_oversell():
    variant = variant_of(make_product(stock=2))
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(variant_id=variant.pk).update(reserved=3)


@pytest.mark.django_db(transaction=True)
def test_locking_outside_a_transaction_is_a_mistake():
    with pytest.raises(RuntimeError):
        stock.locked([1])
