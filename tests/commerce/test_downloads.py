"""Downloads: signed, expiring, counted links to a bought file, for its buyer only."""

from __future__ import annotations

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from apps.commerce import downloads
from apps.commerce.models import DigitalAsset, DownloadGrant
from tests.commerce.factories import make_paid_order, make_product, variant_of

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def grant(customer, shop):
    variant = variant_of(make_product(shop=shop, kind="digital", stock=100))
    asset = DigitalAsset(variant=variant, filename="guide.pdf", max_downloads=2, link_hours=1)
    asset.file.save("guide.pdf", ContentFile(b"%PDF-1.4 the guide"), save=True)
    order = make_paid_order(customer, [(variant, 1)])
    return downloads.grant_downloads(order_id=order.pk)[0]


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_buyer_downloads_up_to_the_limit(customer, grant):
    url = downloads.download_url(grant)
    client = _client(customer)
    first = client.get(url)
    assert first.status_code == 200 and _body(first) == b"%PDF-1.4 the guide"
    assert "guide.pdf" in first["Content-Disposition"]
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 410 and "all 2 downloads" in refused.content.decode()
    assert DownloadGrant.objects.get(pk=grant.pk).downloads == 2


def test_the_permission_matrix_of_a_download_link(people, grant):
    url = downloads.download_url(grant)
    got = {who: _client(user).get(url).status_code for who, user in people.items()}
    assert got == {
        "owner": 403,
        "other_owner": 403,
        "customer": 200,
        "other_customer": 403,
        "admin": 200,
        "anonymous": 302,
    }


def test_an_expired_or_forged_link_is_refused(customer, grant):
    url = downloads.download_url(grant)
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)):
        assert _client(customer).get(url).status_code == 410
    assert _client(customer).get(url[:-3] + "abc/").status_code == 404
    assert DownloadGrant.objects.get(pk=grant.pk).downloads == 0


def test_a_refunded_line_downloads_no_more(customer, admin, grant):
    from apps.commerce.services import orders as services

    services.order_refund(user=admin, order=grant.line.order)
    assert _client(customer).get(downloads.download_url(grant)).status_code == 410


def test_the_order_page_links_the_download(customer, grant):
    html = _client(customer).get(f"/shop/orders/{grant.line.order.number}/").content.decode()
    assert "/shop/downloads/" in html and "0 of 2 used" in html


def test_downloads_stream_from_s3(customer, shop, s3_storage):
    variant = variant_of(make_product(shop=shop, kind="digital", stock=100))
    asset = DigitalAsset(variant=variant, filename="track.mp3")
    asset.file.save("track.mp3", ContentFile(b"ID3 music"), save=True)
    grant = downloads.grant_downloads(order_id=make_paid_order(customer, [(variant, 1)]).pk)[0]
    response = _client(customer).get(downloads.download_url(grant))
    assert response.status_code == 200 and _body(response) == b"ID3 music"
