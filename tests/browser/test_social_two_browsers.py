"""Two people in two browsers, and a stranger in a third, through the social network's real pages
(issue 15, acceptance item 2).

Ann follows Ben from his profile; Ben writes a followers-only post on the compose page; Ann's
open home shows "1 new post" without a reload and a click shows it, while the stranger's public
timeline, Ben's profile and the hashtag's page never do. Then Ann opens a conversation with Ben
from his profile: Ben sees her typing, her message arrives in his open thread, his reading it
shows "Seen by Ben" in hers (hidden by her next message until he is back on the thread to read
it), and Ben sees her online and then "last seen" once her tab is closed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from apps.social.models import Post
from apps.social.services import posts as post_services
from tests.browser.test_comments import signed_in
from tests.social.factories import person

pytestmark = pytest.mark.browser

# The live bar hears a push at once over Redis and polls every 5 s on the in-memory layer;
# presence changes are pushed to the watching socket as they happen.
LIVE = 15_000

FOR_FOLLOWERS = "Glaze test results, for my followers only #pottery"


# The tab hidden (true) or shown again (false), as switching tabs does.
TAB_HIDDEN = """(hidden) => {
  Object.defineProperty(document, "hidden", { value: hidden, configurable: true });
  Object.defineProperty(document, "visibilityState", { value: hidden ? "hidden" : "visible", configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def live_thread(page: Page) -> None:
    """Wait until the open conversation's socket is up, so no event is missed."""
    expect(page.locator("[data-dm-thread]")).to_have_attribute("data-live", "true")


def test_two_people_follow_post_and_message_live_and_a_stranger_never_sees_it(
    open_page, live_server_url, celery_worker
):
    ann = person("ann", display_name="Ann Archer")
    ben = person("ben", display_name="Ben Baker")
    sam = person("sam", display_name="Sam Stranger")
    # What the stranger may see on each page, so their "not there" is not an empty page's.
    post_services.post_create(author=ben, text="Open studio on Saturday #pottery")

    anns = signed_in(open_page, live_server_url, ann)
    bens = signed_in(open_page, live_server_url, ben)
    sams = signed_in(open_page, live_server_url, sam)
    # The stranger again, in a window that stays on the public timeline with its live bar.
    sams_live = signed_in(open_page, live_server_url, sam)
    for page in (anns, bens, sams, sams_live):
        page.set_default_timeout(LIVE)  # clicks wait as long as expectations do

    # Ann follows Ben from his profile.
    anns.goto("/@ben/")
    anns.get_by_role("button", name="Follow @ben").click()
    expect(anns.get_by_role("button", name="Unfollow @ben")).to_be_visible()

    # Ann's home is open, with Ben's earlier post; the stranger reads the public timeline.
    anns.goto("/social/")
    expect(anns.get_by_text("Open studio on Saturday")).to_be_visible()
    anns.evaluate("window.loadedOnce = true")  # gone if the page ever reloads
    sams_live.goto("/social/public/")
    expect(sams_live.get_by_text("Open studio on Saturday")).to_be_visible()

    # Ben writes a followers-only post.
    bens.goto("/social/posts/")
    bens.get_by_label("What's happening?").fill(FOR_FOLLOWERS)
    bens.get_by_label("Who may read it").select_option(label="Your followers")
    bens.get_by_role("button", name="Post", exact=True).click()
    expect(bens.get_by_text("Your post is published.")).to_be_visible()
    post = Post.objects.get(author=ben, text=FOR_FOLLOWERS)
    assert post.visibility == Post.Visibility.FOLLOWERS
    assert bens.url.endswith(post.get_absolute_url())

    bar = anns.locator("[data-timeline-new]")
    expect(bar).to_have_text("1 new post", timeout=LIVE)
    bar.click()
    expect(anns.get_by_text(FOR_FOLLOWERS)).to_be_visible()
    expect(bar).to_be_hidden()
    assert anns.evaluate("window.loadedOnce") is True

    # The stranger: not on the public timeline (nor announced there), Ben's profile, the hashtag.
    for address in ("/social/public/", "/@ben/", "/social/tags/pottery/"):
        sams.goto(address)
        expect(sams.get_by_text("Open studio on Saturday")).to_be_visible()
        expect(sams.get_by_text(FOR_FOLLOWERS)).to_have_count(0)
    assert sams.request.get(f"{live_server_url}{post.get_absolute_url()}").status == 404

    # Ann opens a conversation with Ben from his profile.
    anns.goto("/@ben/")
    anns.get_by_role("link", name="Message @ben").click()
    expect(anns.get_by_label("To")).to_have_value("ben")
    anns.get_by_role("button", name="Start the conversation").click()
    expect(anns).to_have_url(re.compile(r"/social/messages/\d+/$"))
    live_thread(anns)

    # Ben does not follow Ann: it waits among his requests; he opens it and accepts (a request's
    # reader leaves no read receipt).
    bens.goto("/social/messages/?tab=requests")
    bens.get_by_role("link", name=re.compile("Ann Archer")).click()
    expect(bens).to_have_url(anns.url)
    bens.get_by_role("button", name="Accept").click()
    expect(bens.get_by_role("button", name="Send")).to_be_visible()
    live_thread(bens)

    # Ben sees Ann online beside her name.
    badge = bens.locator(f'.dm-people [data-presence="{ann.pk}"]')
    expect(badge).to_have_attribute("data-presence-state", "online", timeout=LIVE)

    # Ann types: Ben sees it; she sends: it arrives in his open thread.
    typing = bens.locator("#dm-typing")
    expect(typing).to_be_hidden()
    anns.get_by_role("textbox", name="Message").press_sequentially("Hello Ben, fancy a kiln day?", delay=20)
    expect(typing).to_have_text("Ann Archer is typing…")
    anns.get_by_role("button", name="Send").click()
    expect(anns.locator(".dm-message--mine", has_text="Hello Ben, fancy a kiln day?")).to_be_visible()
    expect(bens.locator(".dm-message", has_text="Hello Ben, fancy a kiln day?")).to_be_visible()
    expect(typing).to_be_hidden()

    # Ben's open thread read it: Ann sees the receipt.
    seen = anns.locator("#dm-seen")
    expect(seen).to_have_text("Seen by Ben Baker")

    # Ben looks away; Ann's next message is not seen until he is back on the thread.
    bens.evaluate(TAB_HIDDEN, True)
    anns.get_by_role("textbox", name="Message").fill("Saturday at ten?")
    anns.get_by_role("button", name="Send").click()
    expect(anns.locator(".dm-message--mine", has_text="Saturday at ten?")).to_be_visible()
    expect(bens.locator(".dm-message", has_text="Saturday at ten?")).to_be_visible()
    expect(seen).to_be_hidden()
    bens.evaluate(TAB_HIDDEN, False)
    expect(seen).to_have_text("Seen by Ben Baker")

    # Ann closes her tab: Ben sees when she was last there.
    anns.close()
    expect(badge).to_have_attribute("data-presence-state", "offline", timeout=LIVE)
    expect(badge).to_contain_text("last seen")

    # All along (several of its polls), the stranger's open public timeline announced nothing.
    expect(sams_live.locator("[data-timeline-new]")).to_be_hidden()
    expect(sams_live.get_by_text(FOR_FOLLOWERS)).to_have_count(0)
