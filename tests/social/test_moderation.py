"""The social network's reportables and staff's actions: who may report a post, an account or a
message; remove, silence and suspend (and their undoing) on every read path; suspended people
writing nothing; the word filter; two racing reports making one row (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from apps.core.notifications.models import Notification
from apps.core.reports import Report
from apps.core.reports import services as reports
from apps.social import selectors
from apps.social.models import FilteredPhrase, Post
from apps.social.services import messages as message_services
from apps.social.services import moderation
from apps.social.services import posts as post_services
from apps.social.services import relations as relation_services
from apps.social.timelines import reads
from tests.core.factories import UserFactory
from tests.social.factories import ProfileFactory, conversation_between, follow, tag_post
from tests.utils import race


@pytest.fixture
def admin(db):
    return ProfileFactory(handle="stacy", user=UserFactory(roles=["admin"])).user


def _post(author, text="hello #news"):
    post = post_services.post_create(author=author, text=text)
    tag_post(post, "news")
    return post


def _report(user, kind, object_id):
    return reports.report_create(reporter=user, kind=kind, object_id=object_id, reason="abuse")


# --- Who may report ------------------------------------------------------------------------------


def test_readers_report_posts_and_accounts_but_not_their_own(author, reader):
    post = _post(author)
    assert _report(reader, "social.post", post.pk)[1] is True
    assert _report(reader, "social.account", author.social_profile.pk)[1] is True
    with pytest.raises(PermissionDenied):
        _report(author, "social.post", post.pk)
    with pytest.raises(PermissionDenied):
        _report(author, "social.account", author.social_profile.pk)


def test_only_participants_report_a_message(author, reader, outsider):
    conversation = conversation_between(author, reader)
    message = message_services.message_send(sender=author, conversation=conversation, body="hi")
    with pytest.raises(PermissionDenied):
        _report(outsider, "social.message", message.pk)
    with pytest.raises(PermissionDenied):
        _report(author, "social.message", message.pk)
    assert _report(reader, "social.message", message.pk)[1] is True


def test_only_staff_act_on_social_reports(author, reader, admin, cast):
    post = _post(author)
    _report(reader, "social.post", post.pk)
    for role in ("instructor", "blog_admin", "student", "member"):
        with pytest.raises(PermissionDenied):
            reports.report_act(moderator=cast[role], kind="social.post", object_id=post.pk, action="remove")
    assert reports.report_act(moderator=admin, kind="social.post", object_id=post.pk, action="remove") == 1


# --- Actions and every read path ----------------------------------------------------------------


def test_removing_a_post_takes_it_off_every_path_and_tells_its_author(author, reader, admin, client_for):
    post = _post(author)
    _report(reader, "social.post", post.pk)
    reports.report_act(moderator=admin, kind="social.post", object_id=post.pk, action="remove", note="spam")

    assert Post.objects.get(pk=post.pk).is_deleted
    assert post.pk not in [p.pk for p in reads.public_timeline(reader).posts]
    assert Notification.objects.filter(recipient=author, kind="social.moderation").exists()


def test_a_suspended_account_is_hidden_everywhere_and_writes_nothing(author, reader, admin, client_for):
    follow(reader, author)
    post = _post(author)
    moderation.profile_suspend(target=author, moderator=admin, note="abuse")

    assert post.pk not in [p.pk for p in reads.public_timeline(reader).posts]
    assert post.pk not in [p.pk for p in reads.home_timeline(reader).posts]
    assert post.pk not in [p.pk for p in reads.hashtag_timeline(None, reads.hashtag_get("news")).posts]
    assert selectors.post_get_for_user(reader, post.pk) is None
    assert client_for(reader).get(f"/social/posts/{post.pk}/").status_code == 404
    page = client_for(reader).get("/@ada/").content.decode()
    assert "This account is suspended" in page and "hello" not in page
    author.refresh_from_db()
    for write in (
        lambda: post_services.post_create(author=author, text="again"),
        lambda: relation_services.follow_create(follower=author, followee=reader),
        lambda: post_services.post_like(user=author, post=_post(reader)),
    ):
        with pytest.raises(PermissionDenied):
            write()

    moderation.profile_unsuspend(target=author, moderator=admin)
    author.refresh_from_db()
    assert selectors.post_get_for_user(reader, post.pk) is not None
    post_services.post_create(author=author, text="back")


def test_a_silenced_account_reaches_only_its_followers(author, reader, outsider, admin, client_for):
    follow(reader, author)
    post = _post(author)
    moderation.profile_silence(target=author.social_profile, moderator=admin, note="spammy")

    assert post.pk not in [p.pk for p in reads.public_timeline(outsider).posts]
    assert post.pk not in [p.pk for p in reads.hashtag_timeline(outsider, reads.hashtag_get("news")).posts]
    assert selectors.post_get_for_user(outsider, post.pk) is None
    assert selectors.post_get_for_user(None, post.pk) is None
    assert selectors.post_get_for_user(reader, post.pk) is not None
    assert post.pk in [p.pk for p in reads.home_timeline(reader).posts]
    assert "Limited by staff" in client_for(outsider).get("/@ada/").content.decode()
    with pytest.raises(ValidationError):  # already in force
        moderation.profile_silence(target=author, moderator=admin)
    moderation.profile_unsilence(target=author, moderator=admin)
    assert selectors.post_get_for_user(outsider, post.pk) is not None


def test_the_queue_offers_the_actions_that_apply_now(author, reader, admin, client_for):
    _report(reader, "social.account", author.social_profile.pk)
    html = client_for(admin).get("/moderation/?kind=social.account").content.decode()
    assert ">Silence<" in html and ">Suspend<" in html and ">Unsuspend<" not in html


# --- The word filter ---------------------------------------------------------------------------


def test_a_refusing_phrase_refuses_posts_edits_and_messages_without_naming_it(author, reader):
    FilteredPhrase.objects.create(phrase="badword", match="word", action="refuse")
    with pytest.raises(ValidationError) as refusal:
        post_services.post_create(author=author, text="a BadWord here")
    assert "badword" not in str(refusal.value).lower()
    post_services.post_create(author=author, text="badwordy is another word")  # whole words only
    post = post_services.post_create(author=author, text="clean")
    with pytest.raises(ValidationError):
        post_services.post_edit(actor=author, post=post, text="now badword")
    conversation = conversation_between(author, reader)
    with pytest.raises(ValidationError):
        message_services.message_send(sender=author, conversation=conversation, body="badword!")


def test_the_rules_cache_drops_on_change(author):
    post_services.post_create(author=author, text="fresh spam")
    phrase = FilteredPhrase.objects.create(phrase="spam", match="substring", action="refuse")
    with pytest.raises(ValidationError):
        post_services.post_create(author=author, text="spammy")
    phrase.delete()
    post_services.post_create(author=author, text="spammy")


def test_a_holding_phrase_hides_the_post_from_all_but_its_author_and_queues_it(author, reader, admin):
    FilteredPhrase.objects.create(phrase="casino", match="word", action="hold")
    post = post_services.post_create(author=author, text="visit my casino")

    assert post.held_at is not None
    assert selectors.post_get_for_user(reader, post.pk) is None
    assert selectors.post_get_for_user(author, post.pk) is not None
    report = Report.objects.get(kind="social.post", object_id=post.pk)
    assert report.reporter is None and "casino" in report.note
    reports.report_act(moderator=admin, kind="social.post", object_id=post.pk, action="release")
    assert selectors.post_get_for_user(reader, post.pk) is not None


# --- Surfaces ------------------------------------------------------------------------------------


def test_report_buttons_show_on_posts_and_profiles(author, reader, client_for):
    _post(author)
    page = client_for(reader).get("/@ada/").content.decode()
    assert "/reports/social.account/" in page and "/reports/social.post/" in page
    own = client_for(author).get("/@ada/").content.decode()
    assert "/reports/social.account/" not in own


# --- Races (PostgreSQL) ----------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)")
@pytest.mark.django_db(transaction=True)
def test_reports_of_one_post_sent_at_once_make_one_row():
    author, reader = ProfileFactory().user, ProfileFactory().user
    post = post_services.post_create(author=author, text="hi")

    results = race(lambda _: _report(reader, "social.post", post.pk), 10)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Report.objects.filter(kind="social.post", object_id=post.pk).count() == 1


# --- Staff's controls on a profile ---------------------------------------------------------------


def test_staff_suspend_and_unsuspend_from_the_profile_without_a_report(author, reader, admin, client_for):
    page = client_for(admin).get("/@ada/").content.decode()
    assert "/@ada/moderate/suspend/" in page
    assert "/@ada/moderate/" not in client_for(reader).get("/@ada/").content.decode()

    assert client_for(admin).post("/@ada/moderate/suspend/", {"note": "abuse"}).status_code == 302
    author.social_profile.refresh_from_db()
    assert author.social_profile.suspended_by == admin and author.social_profile.suspension_reason == "abuse"
    assert "/@ada/moderate/unsuspend/" in client_for(admin).get("/@ada/").content.decode()
    client_for(admin).post("/@ada/moderate/unsuspend/")
    author.social_profile.refresh_from_db()
    assert author.social_profile.suspended_at is None


def test_members_may_not_use_the_staff_controls(author, reader, client_for):
    assert client_for(reader).post("/@ada/moderate/suspend/").status_code == 403
    assert client_for(reader).get("/@ada/moderate/suspend/").status_code == 405
    author.social_profile.refresh_from_db()
    assert author.social_profile.suspended_at is None


def test_staff_are_not_suspended_nor_anyone_by_themselves(admin):
    other = ProfileFactory(user=UserFactory(roles=["admin"])).user
    with pytest.raises(ValidationError):
        moderation.profile_suspend(target=other, moderator=admin)
    with pytest.raises(ValidationError):
        moderation.profile_suspend(target=admin, moderator=admin)


# --- More read paths, the compose form, trends, the queue's cost ---------------------------------


def test_a_suspended_repliers_reply_leaves_the_thread_and_the_public_pages(author, reader, outsider, admin, client_for):
    root = _post(author, "a question #news")
    reply = post_services.post_create(author=reader, text="an answer", reply_to=root)
    moderation.profile_suspend(target=reader, moderator=admin)

    thread = client_for(outsider).get(f"/social/posts/{root.pk}/").content.decode()
    assert "a question" in thread and "an answer" not in thread
    assert reply.pk not in [p.pk for p in reads.public_timeline(None).posts]
    assert "an answer" not in client_for(None).get("/social/public/").content.decode()
    assert "a question" in client_for(None).get("/social/tags/news/").content.decode()


def test_the_compose_form_says_only_that_a_rule_was_broken(author, client_for):
    FilteredPhrase.objects.create(phrase="forbidden", match="word", action="refuse")
    answer = client_for(author).post("/social/posts/", {"text": "a forbidden word", "visibility": "public"})

    assert answer.status_code == 400
    html = answer.content.decode()
    assert "breaks one of the community" in html and not Post.objects.filter(text__contains="forbidden").exists()


def test_trends_do_not_count_a_silenced_authors_posts(author, admin):
    from apps.social import trends

    moderation.profile_silence(target=author, moderator=admin)
    trends.record_post(_post(author, "#quiet"))
    assert "news" not in trends.scores()


def test_the_social_queue_costs_the_same_queries_whatever_it_holds(
    author, reader, admin, client_for, django_assert_max_num_queries
):
    client = client_for(admin)
    _report(reader, "social.post", _post(author).pk)
    client.get("/moderation/")
    with django_assert_max_num_queries(40) as few:
        client.get("/moderation/")
    conversation = conversation_between(author, reader)
    for n in range(4):
        someone = ProfileFactory().user
        _report(someone, "social.post", _post(author, f"post {n}").pk)
        _report(someone, "social.account", author.social_profile.pk)
        message = message_services.message_send(sender=author, conversation=conversation, body=f"m {n}")
        _report(reader, "social.message", message.pk)
    with django_assert_max_num_queries(len(few.captured_queries) + 4):  # one per kind on the page, and a count
        html = client.get("/moderation/").content.decode()
    assert html.count('id="report-social-post-') == 5 and html.count('id="report-social-message-') == 4


def test_search_keeps_staff_limits(author, reader, outsider, admin):
    from apps.social import selectors_search

    follow(reader, author)
    post = _post(author, "kiln glaze #news")
    moderation.profile_silence(target=author, moderator=admin)
    # Silenced: found by its followers only, its posts too, and its tags count for nobody.
    assert author in selectors_search.search_people(reader, "ada")
    assert author not in selectors_search.search_people(outsider, "ada")
    assert post in selectors_search.search_posts(reader, "kiln")
    assert post not in selectors_search.search_posts(outsider, "kiln")
    assert not selectors_search.search_hashtags(outsider, "news").exists()
    moderation.profile_unsilence(target=author, moderator=admin)
    assert selectors_search.search_hashtags(outsider, "news").get().uses == 1
    moderation.profile_suspend(target=author, moderator=admin)
    assert author not in selectors_search.search_people(reader, "ada")
    assert post not in selectors_search.search_posts(reader, "kiln")
