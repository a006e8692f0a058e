"""The header and footer kept for signed-out visitors stay right for each address and each reader."""

from __future__ import annotations


def test_each_address_gets_its_own_signed_out_header(client, db):
    client.cookies["seen"] = "1"  # a cookie: the whole-page cache stays out of the way

    first = client.get("/status/").content.decode()
    second = client.get("/blog/").content.decode()

    assert "?next=/status/" in first and "?next=/blog/" in second and "?next=/status/" not in second
    assert 'href="/blog/" aria-current="page"' in second


def test_a_signed_in_reader_never_gets_the_signed_out_header(client, client_for, member):
    client.get("/status/")

    html = client_for(member).get("/status/").content.decode()

    assert "Sign out" in html and "Register" not in html
