"""Revenue: the LMS records each paid line it fulfils (course, order reference, amount, currency,
paid and refunded when) and the instructor's home shows what their courses brought in the last
30 days and all time, net of refunds (staff: every course), in one query."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from apps.commerce.services import orders
from apps.core.platform import events
from apps.lms import selectors
from apps.lms.models import Sale
from tests.core.factories import UserFactory
from tests.lms.factories import buy_place, paid_course

pytestmark = pytest.mark.django_db
HOME = "/dashboard/instructor/"


def _buyer():  # type: ignore[no-untyped-def]
    return UserFactory(roles=["student"])


def test_a_fulfilled_line_is_recorded_with_its_order_and_amount(instructor):
    course = paid_course(owner=instructor, price="49.00")
    order = buy_place(_buyer(), course)
    sale = Sale.objects.get()
    assert (sale.course, sale.order_id, sale.order_number) == (course, order.pk, order.number)
    assert (sale.amount, sale.currency, sale.refunded_at, sale.refused) == (Decimal("49.00"), "EUR", None, "")
    assert sale.paid_at == order.paid_at


def test_revenue_is_net_of_refunds_over_30_days_and_all_time(instructor, admin):
    course = paid_course(owner=instructor, price="49.00")
    with time_machine.travel(timezone.now() - timedelta(days=40)):
        buy_place(_buyer(), course)  # long ago
    buy_place(_buyer(), course)
    refunded = buy_place(_buyer(), course)
    orders.order_refund(user=admin, order=refunded)
    events.deliver_pending()
    (row,) = selectors.revenue_by_course(instructor)
    assert (row.title, row.currency) == (course.title, "EUR")
    assert (row.recent, row.total, row.refunded, row.sales) == (
        Decimal("49.00"),
        Decimal("98.00"),
        Decimal("49.00"),
        2,
    )


def test_each_instructor_sees_their_courses_and_staff_every_course(instructor, co_instructor, other_instructor, admin):
    mine = paid_course(owner=instructor, title="Mine")
    from apps.lms.models import CourseInstructor

    CourseInstructor.objects.create(course=mine, user=co_instructor)
    theirs = paid_course(owner=other_instructor, title="Theirs", price="10.00")
    buy_place(_buyer(), mine)
    buy_place(_buyer(), theirs)
    assert [row.title for row in selectors.revenue_by_course(instructor)] == ["Mine"]
    assert [row.title for row in selectors.revenue_by_course(co_instructor)] == ["Mine"]
    assert [row.title for row in selectors.revenue_by_course(other_instructor)] == ["Theirs"]
    assert [row.title for row in selectors.revenue_by_course(admin)] == ["Mine", "Theirs"]
    assert selectors.revenue_by_course(UserFactory(roles=["student"])) == []


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("owner", True),
        ("co_instructor", True),
        ("other_instructor", False),
        ("admin", True),
    ],
)
def test_the_revenue_panel_on_the_instructors_home(people, course, client_for, who, sees):
    course.price = Decimal("49.00")
    course.save()
    from apps.lms.services import selling

    selling.course_offer_sync(course)
    buy_place(_buyer(), course)
    page = client_for(people[who]).get(HOME).content.decode()
    assert "Revenue" in page
    assert ("49.00 EUR" in page and course.title in page) is sees


@pytest.mark.parametrize("who", ["learner", "outsider", "anonymous"])
def test_learners_and_visitors_have_no_instructors_home(people, client_for, who):
    response = client_for(people[who]).get(HOME)
    assert response.status_code in (302, 403, 404)


def test_the_revenue_read_is_one_query_however_many_courses_and_sales(instructor, django_assert_num_queries):
    for n in range(3):
        course = paid_course(owner=instructor, title=f"Course {n}")
        for _ in range(n + 1):
            buy_place(_buyer(), course)
    stranger = UserFactory(roles=["instructor"])
    with django_assert_num_queries(2):  # the instructor's roles, then the one aggregate
        rows = selectors.revenue_by_course(stranger)
    assert rows == []
    instructor.refresh_from_db()
    selectors.revenue_by_course(instructor)  # roles read once
    with django_assert_num_queries(1):
        assert len(selectors.revenue_by_course(instructor)) == 3


def test_the_home_costs_the_same_with_more_sales(instructor, client_for, django_assert_max_num_queries):
    client = client_for(instructor)
    course = paid_course(owner=instructor)
    buy_place(_buyer(), course)
    client.get(HOME)
    with django_assert_max_num_queries(80) as few:
        client.get(HOME)
    for n in range(3):
        other = paid_course(owner=instructor, title=f"More {n}")
        buy_place(_buyer(), other)
        buy_place(_buyer(), course)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(HOME).status_code == 200
