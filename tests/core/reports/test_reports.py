"""Core's reports, tested without the social network: the tiny hook app's "things"
(tests/hookapp/reportables.py) are reported, grouped in the one moderation queue, acted on and
dismissed, through the service, the dialog, the queue's actions and the API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.reports import Report, registry, selectors, services
from tests.core.factories import UserFactory
from tests.hookapp import reportables

KIND = "hookapp.thing"


@pytest.fixture(autouse=True)
def thing_kind():
    registry.register(reportables.THING)
    reportables.HIDDEN.clear()
    yield
    registry.unregister(KIND)
    reportables.HIDDEN.clear()


def _report(user, object_id=1, reason="spam", note=""):
    return services.report_create(reporter=user, kind=KIND, object_id=object_id, reason=reason, note=note)


def test_a_repeated_report_is_the_open_one_unchanged(member):
    first, created = _report(member, note="buy now")
    again, created_again = _report(member, reason="abuse")

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.reason == "spam"
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "object_id", "reason", "field"),
    [("hookapp.nothing", 1, "spam", "kind"), (KIND, 9, "spam", "object_id"), (KIND, 1, "boredom", "reason")],
)
def test_bad_input_is_refused_and_writes_nothing(member, kind, object_id, reason, field):
    with pytest.raises(ValidationError) as refusal:
        services.report_create(reporter=member, kind=kind, object_id=object_id, reason=reason)
    assert field in refusal.value.message_dict
    assert not Report.objects.exists()


def test_the_kind_decides_who_may_report(member):
    with pytest.raises(PermissionDenied):
        _report(member, object_id=3)  # "sinker": nobody may
    with pytest.raises(PermissionDenied):
        services.report_create(reporter=None, kind=KIND, object_id=1, reason="spam")


def test_reporting_too_fast_is_refused(member, settings):
    settings.REPORT_RATE_LIMIT = 1
    _report(member, object_id=1)
    with pytest.raises(services.ReportRateLimited):
        _report(member, object_id=2)


def test_a_system_report_is_one_open_row_per_object(db):
    a = services.report_system(kind=KIND, object_id=2, note="held")
    b = services.report_system(kind=KIND, object_id=2, note="held again")
    assert a.pk == b.pk and a.reporter is None


@pytest.fixture
def reported(db):
    """Thing 2 reported twice (first), thing 1 once (later)."""
    first, second, third = UserFactory(), UserFactory(), UserFactory()
    _report(first, object_id=2, reason="abuse", note="rude")
    _report(second, object_id=2, reason="abuse")
    _report(third, object_id=1)


def test_the_queue_groups_reports_per_object_oldest_first(staff, reported):
    page = selectors.report_queue(viewer=staff)

    assert [(g.object_id, g.count) for g in page.object_list] == [(2, 2), (1, 1)]
    assert page.object_list[0].reasons == [("Abuse", 2)]
    assert page.object_list[0].notes[0].note == "rude"
    assert selectors.report_waiting_count(viewer=staff) == 2


def test_who_moderates_the_kind_sees_its_reports(cast, reported):
    seen = {role: selectors.report_waiting_count(viewer=user) for role, user in cast.items()}
    assert seen == {
        "super_admin": 2,
        "admin": 2,
        "instructor": 0,
        "shop_owner": 0,
        "blog_admin": 0,
        "blog_author": 0,
        "student": 0,
        "member": 0,
        "anonymous": 0,
    }


def test_the_queue_page_shows_report_rows_and_filters_by_kind(client_for, staff, reported):
    html = client_for(staff).get("/moderation/").content.decode()
    assert 'id="report-hookapp-thing-2"' in html and "2 reports" in html
    assert '<p class="moderation-item__object">line</p>' in html

    other = client_for(staff).get("/moderation/?kind=blog.post").content.decode()
    assert 'id="report-hookapp-thing-2"' not in other


def test_the_queue_page_costs_the_same_queries_whatever_it_holds(client_for, staff, django_assert_max_num_queries):
    client = client_for(staff)
    _report(UserFactory(), object_id=1)
    client.get("/moderation/")  # warm the session's roles
    with django_assert_max_num_queries(40) as few:
        client.get("/moderation/")
    for n in range(6):
        _report(UserFactory(), object_id=1 + n % 2, note=f"note {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/moderation/")


def test_acting_closes_every_open_report_of_the_object(staff, reported):
    closed = services.report_act(moderator=staff, kind=KIND, object_id=2, action="hide", note="enough")

    assert closed == 2 and {2} == reportables.HIDDEN
    rows = Report.objects.filter(object_id=2)
    assert {(r.status, r.action, r.handled_by_id, r.decision_note) for r in rows} == {
        ("actioned", "hide", staff.pk, "enough")
    }
    with pytest.raises(ValidationError):  # handled meanwhile by someone else
        services.report_act(moderator=staff, kind=KIND, object_id=2, action="hide")


def test_an_action_not_on_offer_or_by_a_non_moderator_is_refused(staff, member, reported):
    with pytest.raises(ValidationError):
        services.report_act(moderator=staff, kind=KIND, object_id=2, action="burn")
    with pytest.raises(PermissionDenied):
        services.report_act(moderator=member, kind=KIND, object_id=2, action="hide")
    assert Report.objects.filter(status="open").count() == 3


def test_dismissing_closes_the_reports_and_changes_nothing_else(staff, reported):
    assert services.report_dismiss(moderator=staff, kind=KIND, object_id=2) == 2
    assert set() == reportables.HIDDEN
    assert set(Report.objects.filter(object_id=2).values_list("status", flat=True)) == {"dismissed"}


def test_the_queue_actions_answer_htmx_with_the_row_and_plain_posts_with_a_redirect(client_for, staff, reported):
    client = client_for(staff)
    url = reverse("reports:decide", args=[KIND, 2, "hide"])
    answer = client.post(url, {"note": "x"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and "moderation-item--done" in answer.content.decode()
    answer = client.post(reverse("reports:decide", args=[KIND, 1, "dismiss"]))
    assert answer.status_code == 302 and answer.url == "/moderation/"
    assert not Report.objects.filter(status="open").exists()


def test_members_may_not_decide(client_for, member, reported):
    assert client_for(member).post(reverse("reports:decide", args=[KIND, 2, "hide"])).status_code == 403
    assert client_for(member).get(reverse("reports:decide", args=[KIND, 2, "hide"])).status_code == 405


def test_the_dialog_is_a_fragment_for_htmx_and_a_page_otherwise(client_for, member):
    url = reverse("reports:create", args=[KIND, 1])
    fragment = client_for(member).get(url, headers={"HX-Request": "true"}).content.decode()
    page = client_for(member).get(url).content.decode()
    assert fragment.startswith("<dialog") and "data-modal-fetched" in fragment
    assert "<html" in page and 'name="reason"' in page


def test_the_dialog_reports_and_refuses_bad_input(client_for, member):
    client = client_for(member)
    url = reverse("reports:create", args=[KIND, 1])
    bad = client.post(url, {"reason": "boredom"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422 and not Report.objects.exists()
    done = client.post(url, {"reason": "spam", "note": "ads"}, headers={"HX-Request": "true"})
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    plain = client.post(url, {"reason": "spam", "next": "/hooked/"})
    assert plain.status_code == 302 and plain.url == "/hooked/"
    assert Report.objects.get().note == "ads"


def test_the_dialog_access(client_for, member, anonymous):
    assert client_for(anonymous).get(reverse("reports:create", args=[KIND, 1])).status_code == 302
    assert client_for(member).get(reverse("reports:create", args=[KIND, 3])).status_code == 403
    assert client_for(member).get(reverse("reports:create", args=[KIND, 99])).status_code == 404
    assert client_for(member).get(reverse("reports:create", args=["nothing.here", 1])).status_code == 404


def test_the_api_reports_once_and_answers_errors_in_json(client_for, member):
    client = client_for(member)
    body = {"kind": KIND, "object_id": 1, "reason": "spam"}
    assert client.post("/api/v1/reports/", body, content_type="application/json").status_code == 201
    again = client.post("/api/v1/reports/", body, content_type="application/json")
    assert again.status_code == 200 and again.json()["status"] == "open"
    bad = client.post("/api/v1/reports/", {**body, "reason": "no"}, content_type="application/json")
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    gone = client.post("/api/v1/reports/", {**body, "object_id": 99}, content_type="application/json")
    assert gone.status_code == 404
    refused = client.post("/api/v1/reports/", {**body, "object_id": 3}, content_type="application/json")
    assert refused.status_code == 403
    assert Report.objects.count() == 1


def test_the_dashboard_panel_counts_reports(client_for, staff, reported):
    from apps.core.comments.panels import moderation_panel

    panel = moderation_panel(key="x", dashboards=frozenset({"admin"}))
    assert panel.context(staff)["waiting"] == 2
