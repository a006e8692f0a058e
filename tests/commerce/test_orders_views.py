"""The order pages: the customer's history and order page, owners' list (filters, CSV) and part
page with its actions, the invoice; the permission matrix over all of them; flat query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.commerce.models import Order, OrderShop, Stock
from tests.commerce.factories import make_paid_order, make_product, variant_of

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def order(customer, shop, other_shop):
    mine = variant_of(make_product(shop=shop, price="10.00", stock=5, name="Mug"))
    theirs = variant_of(make_product(shop=other_shop, price="4.00", stock=5, name="Sock"))
    return make_paid_order(customer, [(mine, 2), (theirs, 1)], shipping="5.00")


# who -> status: anonymous is sent to sign in (302); a stranger to the order gets 404 (its
# existence is private), the manage pages answer 403 to people who run no shop.
CUSTOMER_PAGE = {
    "owner": 404,
    "other_owner": 404,
    "customer": 200,
    "other_customer": 404,
    "admin": 200,
    "anonymous": 302,
}
MANAGE_ORDER = {
    "owner": 200,
    "other_owner": 200,
    "customer": 404,
    "other_customer": 404,
    "admin": 200,
    "anonymous": 302,
}
MANAGE_LIST = {"owner": 200, "other_owner": 200, "customer": 403, "other_customer": 403, "admin": 200, "anonymous": 302}
INVOICE = {"owner": 200, "other_owner": 200, "customer": 200, "other_customer": 404, "admin": 200, "anonymous": 302}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/shop/orders/{number}/", CUSTOMER_PAGE),
        ("/shop/orders/{number}/invoice.pdf", INVOICE),
        ("/shop/manage/orders/{number}/", MANAGE_ORDER),
        ("/shop/manage/orders/", MANAGE_LIST),
        ("/shop/manage/orders/export.csv", MANAGE_LIST),
    ],
)
def test_the_permission_matrix_of_the_order_pages(people, order, url, expected):
    got = {who: _client(user).get(url.format(number=order.number)).status_code for who, user in people.items()}
    assert got == expected


def test_the_history_lists_only_ones_own_orders(customer, other_customer, order):
    assert order.number in _client(customer).get("/shop/orders/").content.decode()
    assert order.number not in _client(other_customer).get("/shop/orders/").content.decode()


def test_an_owner_sees_only_their_part_of_an_order(owner, order):
    html = _client(owner).get(f"/shop/manage/orders/{order.number}/").content.decode()
    assert "Mug" in html and "Sock" not in html
    listing = _client(owner).get("/shop/manage/orders/").content.decode()
    assert order.number in listing and "Otto" not in listing


def test_the_owner_fulfils_and_the_customer_sees_it(owner, customer, order, shop):
    part = order.parts.get(shop=shop)
    line = part.lines.get()
    response = _client(owner).post(
        f"/shop/manage/orders/{order.number}/{part.pk}/fulfil/",
        {f"line-{line.pk}": "2", "tracking_number": "TRACK-9", "carrier": "DHL"},
    )
    assert response.status_code == 302
    assert OrderShop.objects.get(pk=part.pk).status == OrderShop.Status.FULFILLED
    html = _client(customer).get(f"/shop/orders/{order.number}/").content.decode()
    assert "TRACK-9" in html and "Partially fulfilled" in html


def test_another_owner_cannot_act_on_a_part(other_owner, order, shop):
    part = order.parts.get(shop=shop)
    line = part.lines.get()
    for action in ("fulfil", "cancel", "refund"):
        response = _client(other_owner).post(
            f"/shop/manage/orders/{order.number}/{part.pk}/{action}/", {f"line-{line.pk}": "1"}
        )
        assert response.status_code == 404
    assert OrderShop.objects.get(pk=part.pk).status == OrderShop.Status.UNFULFILLED


def test_actions_take_post_only(owner, order, shop):
    part = order.parts.get(shop=shop)
    assert _client(owner).get(f"/shop/manage/orders/{order.number}/{part.pk}/fulfil/").status_code == 405
    assert _client(owner).post("/shop/orders/").status_code == 405


def test_bad_input_is_a_clear_message_not_an_error(owner, order, shop):
    part = order.parts.get(shop=shop)
    line = part.lines.get()
    client = _client(owner)
    response = client.post(
        f"/shop/manage/orders/{order.number}/{part.pk}/refund/", {f"line-{line.pk}": "9", "amount": "x"}, follow=True
    )
    assert response.status_code == 200 and "left to refund" in response.content.decode()
    response = client.post(f"/shop/manage/orders/{order.number}/{part.pk}/fulfil/", {"line-abc": "1"}, follow=True)
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).refunded_total.amount == 0


def test_a_refund_from_the_part_page_restores_stock(owner, order, shop):
    part = order.parts.get(shop=shop)
    line = part.lines.get()
    _client(owner).post(
        f"/shop/manage/orders/{order.number}/{part.pk}/refund/", {f"line-{line.pk}": "2", "restock": "on"}
    )
    line.variant.stock.refresh_from_db()
    assert line.variant.stock.available == 5


def test_the_customer_asks_for_a_return_from_the_order_page(owner, customer, order, shop):
    part = order.parts.get(shop=shop)
    line = part.lines.get()
    _client(owner).post(f"/shop/manage/orders/{order.number}/{part.pk}/fulfil/", {f"line-{line.pk}": "2"})
    response = _client(customer).post(
        f"/shop/orders/{order.number}/return/", {"part": part.pk, f"line-{line.pk}": "1", "reason": "Chipped"}
    )
    assert response.status_code == 302 and part.returns.get().reason == "Chipped"
    request = part.returns.get()
    assert _client(owner).post(f"/shop/manage/returns/{request.pk}/reject/", {"response": "No"}).status_code == 302
    request.refresh_from_db()
    assert request.status == "rejected"


def test_filters_and_csv_export(owner, customer, shop, order):
    other = make_paid_order(customer, [(variant_of(make_product(shop=shop)), 1)])
    part = other.parts.get()
    part.status = OrderShop.Status.FULFILLED
    part.save()
    client = _client(owner)

    html = client.get("/shop/manage/orders/", {"status": "fulfilled"}).content.decode()
    assert other.number in html and order.number not in html
    html = client.get("/shop/manage/orders/", {"q": order.number}).content.decode()
    assert order.number in html and other.number not in html
    csv = b"".join(client.get("/shop/manage/orders/export.csv", {"status": "unfulfilled"}).streaming_content).decode()
    assert csv.splitlines()[0].startswith("order,date,customer") and order.number in csv and other.number not in csv
    assert client.get("/shop/manage/orders/", {"date_from": "not-a-date"}).status_code == 200


def test_the_invoice_is_a_pdf_and_an_owner_gets_only_their_part(owner, customer, order):
    whole = _client(customer).get(f"/shop/orders/{order.number}/invoice.pdf")
    part = _client(owner).get(f"/shop/orders/{order.number}/invoice.pdf")
    assert whole["Content-Type"] == "application/pdf" and whole.content.startswith(b"%PDF")
    assert part.content.startswith(b"%PDF") and len(part.content) < len(whole.content)


def test_query_counts_stay_flat(customer, owner, shop):
    def counts(size: int) -> list[int]:
        variants = [variant_of(make_product(shop=shop, stock=100)) for _ in range(size)]
        order = make_paid_order(customer, [(v, 1) for v in variants])
        found = []
        for client, url in (
            (_client(customer), "/shop/orders/"),
            (_client(customer), f"/shop/orders/{order.number}/"),
            (_client(owner), "/shop/manage/orders/"),
            (_client(owner), f"/shop/manage/orders/{order.number}/"),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            found.append(len(captured.captured_queries))
        return found

    # The first requests warm what is cached once, and what each person's session caches (their
    # roles, their unread messages).
    _client(customer).get("/shop/orders/")
    _client(owner).get("/shop/manage/orders/")
    small, big = counts(1), counts(6)
    assert small == big and max(big) <= 16


def _fresh_order(customer, shop):
    return make_paid_order(customer, [(variant_of(make_product(shop=shop, price="10.00", stock=5)), 2)])


# Acting on the part of ``shop``: its owner and staff do it (302 back to the page); another shop's
# owner and the customers find no such part (404); anonymous is sent to sign in.
ACT = {"owner": 302, "other_owner": 404, "customer": 404, "other_customer": 404, "admin": 302, "anonymous": 302}


@pytest.mark.parametrize("action", ["fulfil", "cancel", "refund"])
def test_the_permission_matrix_of_the_part_actions(people, customer, shop, action):
    for who, user in people.items():
        order = _fresh_order(customer, shop)
        part = order.parts.get()
        line = part.lines.get()
        response = _client(user).post(
            f"/shop/manage/orders/{order.number}/{part.pk}/{action}/", {f"line-{line.pk}": "1", "restock": "on"}
        )
        assert response.status_code == ACT[who], who
        part.refresh_from_db()
        allocated = Stock.objects.get(variant_id=line.variant_id).allocated
        changed = part.status != OrderShop.Status.UNFULFILLED or allocated != 2
        assert changed == (who in ("owner", "admin")), who


def test_the_permission_matrix_of_return_requests_and_answers(people, owner, customer, shop):
    from apps.commerce.services import orders as services

    for who, user in people.items():
        order = _fresh_order(customer, shop)
        part = order.parts.get()
        line = part.lines.get()
        services.part_fulfil(user=owner, part=part, lines={line.pk: 2})
        asked = _client(user).post(
            f"/shop/orders/{order.number}/return/", {"part": part.pk, f"line-{line.pk}": "1", "reason": "r"}
        )
        expected = {"customer": 302, "anonymous": 302, "admin": 403}.get(who, 404)
        assert asked.status_code == expected, who
        # Staff see the order but a return is the customer's to ask: nothing is recorded for them.
        assert part.returns.exists() == (who == "customer"), who
        request = (
            services.return_request_create(user=customer, order=order, part=part, lines={line.pk: 1}, reason="r")
            if who != "customer"
            else part.returns.get()
        )
        answered = _client(user).post(f"/shop/manage/returns/{request.pk}/reject/", {"response": "no"})
        assert answered.status_code == ACT[who], who
        request.refresh_from_db()
        assert (request.status == "rejected") == (who in ("owner", "admin")), who


def test_the_admin_shows_orders_to_staff(admin, order):
    client = _client(admin)
    assert client.get("/admin/commerce/order/").status_code == 200
    assert client.get(f"/admin/commerce/order/{order.pk}/change/").status_code == 200
    assert client.get("/admin/commerce/returnrequest/").status_code == 200
    assert client.get("/admin/commerce/downloadgrant/").status_code == 200
