"""Presence in a real browser: static/js/presence.js beats for a signed-in tab, says away when the
tab is hidden, and keeps another person's badge live through ws/presence/; no CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_comments import signed_in
from tests.core.factories import UserFactory

pytestmark = pytest.mark.browser

LIVE = 10_000

# A badge as components/presence.html renders it, put on the page as an htmx swap would.
ADD_BADGE = """(id) => {
  const badge = document.createElement("span");
  badge.className = "badge presence presence--offline";
  badge.dataset.presence = String(id);
  badge.dataset.presenceState = "offline";
  const label = document.createElement("span");
  label.dataset.presenceLabel = "";
  label.textContent = "Offline";
  badge.appendChild(label);
  document.querySelector("main").appendChild(badge);
  document.body.dispatchEvent(new Event("htmx:afterSettle"));
}"""

HIDE_TAB = """() => {
  Object.defineProperty(document, "hidden", { value: true, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_badge_follows_its_person_online_away_and_offline_live(open_page, live_server_url):
    ann = UserFactory(display_name="Ann Online")
    bob = UserFactory(display_name="Bob Watcher")
    bobs = signed_in(open_page, live_server_url, bob)
    bobs.goto("/")
    bobs.evaluate(ADD_BADGE, ann.pk)
    badge = bobs.locator(f'[data-presence="{ann.pk}"]')

    anns = signed_in(open_page, live_server_url, ann)
    anns.goto("/")
    expect(badge).to_have_attribute("data-presence-state", "online", timeout=LIVE)
    expect(badge).to_contain_text("Online")

    anns.evaluate(HIDE_TAB)
    expect(badge).to_have_attribute("data-presence-state", "away", timeout=LIVE)

    anns.close()
    expect(badge).to_have_attribute("data-presence-state", "offline", timeout=LIVE)
    expect(badge).to_contain_text("last seen")
