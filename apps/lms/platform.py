"""The learning platform's hook: everything it contributes to the platform (see
apps/core/platform/hooks.py)."""

from __future__ import annotations

from apps.core.accounts import Tool
from apps.core.platform import AppHook, Mount, NavLink, Periodic, ProfileSection, SellableKind
from apps.lms import bench, demo
from apps.lms.audiences import AUDIENCES
from apps.lms.comments import lesson_comments
from apps.lms.notifications import KINDS
from apps.lms.panels import PANELS
from apps.lms.permissions import can_create_course, is_lms_staff
from apps.lms.profile_section import courses_taught


def _member(user: object) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _course_url(ref_id: str) -> str | None:
    from apps.lms.services import selling  # it reads the shop's services: imported when asked

    return selling.course_url_of(ref_id)


def _seat_url(ref_id: str) -> str | None:
    from apps.lms.services import selling

    return selling.seat_url_of(ref_id)


hook = AppHook(
    # Certificates have their own short root (/certificates/<id>/), the address printed on them.
    pages=(Mount("courses/", "apps.lms.urls"), Mount("certificates/", "apps.lms.urls_certificates")),
    api=(Mount("lms/", "apps.lms.api.urls"),),
    api_links={"lms": "api-lms-root", "lms_courses": "api-lms-courses", "lms_enrolments": "api-lms-enrolments"},
    nav=(NavLink("Courses", "lms:catalogue"),),
    home_intro="Courses with lessons, progress and certificates, free or bought in the shop.",
    tools=(
        Tool("Courses", "lms:catalogue", "Every published course, to filter and search."),
        Tool(
            "Course editor",
            "lms:manage",
            "Your courses: landing page, outline, lessons, learners.",
            show=lambda user: can_create_course(user) or is_lms_staff(user),
        ),
        Tool("My learning", "lms:my-learning", "Your courses, your progress, and where you left off.", show=_member),
    ),
    robots_disallow=("/courses/manage/", "/courses/mine/"),
    demo_seed=demo.seed_demo,
    bench_seed=bench.seed,
    commentables=(lesson_comments(),),
    notification_kinds=KINDS,
    panels=PANELS,
    # Learners hear of drip lessons that opened for them within five minutes (tasks.py); quiz
    # attempts past their deadline are graded and closed within a minute.
    periodic=(Periodic("lms.tell_opened_lessons", 300), Periodic("lms.close_expired_attempts", 60)),
    audiences=AUDIENCES,  # groups a social post may address (apps/lms/audiences.py)
    # Places the shop sells for the LMS (services/selling.py keeps them on sale and fulfils them).
    sellables=(
        SellableKind("course", "A place in a course", url_of=_course_url),
        SellableKind("seat", "A seat in a course's cohort", url_of=_seat_url),
    ),
    # A tab of people's profiles: the live courses they teach (/@<handle>/courses/).
    profile_sections=(ProfileSection("courses", "Courses", courses_taught, order=20),),
)
