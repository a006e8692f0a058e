"""The learning platform's demo (``seed_demo``), written through the LMS's services, so it is what
an instructor and a learner would have made on the site:

- instructor@test.com (Ian Instructor) owns "Wheel-thrown pottery" (free: three sections of text
  and video lessons, one a free preview, one opening a week after enrolment), "Glazes and firing"
  (paid, 49 EUR, with a spring cohort of 12 seats; a quiz of five questions of different kinds, ten
  minutes and three attempts; its last lesson an assignment, test tiles graded on a three-criterion
  rubric; a gradebook of quizzes 40% and assignments 60%) and "Studio safety in an hour" (free,
  short);
- student@test.com (Stu Student) is enrolled in the pottery course with its first lesson done and
  its video half watched (and a question on its first lesson, answered by the instructor), and has
  finished "Studio safety in an hour", which earned them its certificate, and reviewed it.

Videos are generated (apps/lms/video.py): no media ships with the demo. Idempotent: a course whose
address exists is left as it is, and a learner's progress is only added once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.core.comments import Comment
from apps.core.comments import services as comments
from apps.core.models import User
from apps.lms import reviews, selectors, video
from apps.lms.comments import LESSON_KIND
from apps.lms.models import Assignment, Course, CourseCategory, Lesson
from apps.lms.services import assignments, cohorts, gradebook, learning, media, quizzes
from apps.lms.services import courses as services

INSTRUCTOR_EMAIL = "instructor@test.com"
STUDENT_EMAIL = "student@test.com"
STAFF_EMAIL = "admin@freelancer.dev"
CATEGORIES = [("Crafts", "crafts"), ("Safety", "safety"), ("Languages", "languages")]


@dataclass(frozen=True)
class DemoLesson:
    title: str
    text: str
    kind: str = Lesson.Kind.TEXT
    minutes: int = 8
    preview: bool = False
    after_days: int | None = None


@dataclass(frozen=True)
class DemoCourse:
    title: str
    slug: str
    summary: str
    category: str
    level: str
    outcomes: tuple[str, ...]
    requirements: tuple[str, ...]
    sections: tuple[tuple[str, tuple[DemoLesson, ...]], ...]
    price: Decimal | None = None
    # The gradebook's categories: (name, source, weight).
    grade_categories: tuple[tuple[str, str, int], ...] = ()


def _p(*paragraphs: str) -> list[dict[str, Any]]:
    return [{"type": "rich_text", "html": "".join(f"<p>{text}</p>" for text in paragraphs)}]


POTTERY = DemoCourse(
    title="Wheel-thrown pottery",
    slug="wheel-thrown-pottery",
    summary="From a lump of clay to a bowl you would eat from: wedging, centring, opening and pulling walls.",
    category="crafts",
    level=Course.Level.BEGINNER,
    outcomes=("Wedge and centre clay", "Throw a cylinder and a bowl", "Trim a foot ring"),
    requirements=("Access to a wheel, or a studio's open hours", "Clothes you can get muddy"),
    sections=(
        (
            "Getting ready",
            (
                DemoLesson(
                    "Welcome to the studio",
                    "What we will make, what you need and how the lessons are built.",
                    preview=True,
                    minutes=4,
                ),
                DemoLesson("Wedging clay", "Watch the ram's-head wedge, then try twenty turns.", Lesson.Kind.VIDEO, 6),
            ),
        ),
        (
            "On the wheel",
            (
                DemoLesson("Centring", "Brace your elbows on your knees; let the wheel do the work.", minutes=10),
                DemoLesson("Opening and pulling", "Open to a finger's width from the bat, then pull in three passes."),
            ),
        ),
        (
            "Finishing",
            (
                DemoLesson(
                    "Trimming a foot ring",
                    "Leather-hard is the moment: a week after you throw.",
                    after_days=7,
                    minutes=12,
                ),
            ),
        ),
    ),
)
GLAZES = DemoCourse(
    title="Glazes and firing",
    slug="glazes-and-firing",
    summary="Mix, test and fire stoneware glazes, in a four-week cohort with feedback on your tiles.",
    category="crafts",
    level=Course.Level.INTERMEDIATE,
    outcomes=("Read a glaze recipe", "Make test tiles", "Plan a firing schedule"),
    requirements=("Wheel-thrown pottery, or some throwing experience",),
    sections=(
        (
            "Glaze chemistry",
            (
                DemoLesson("What a glaze is", "Glass former, flux and stabiliser: the three parts.", preview=True),
                DemoLesson("Test tiles", "Make twelve tiles and label their backs.", Lesson.Kind.VIDEO, 7),
            ),
        ),
        (
            "The kiln",
            (
                DemoLesson("A firing schedule", "Candling, the climb, the soak and a slow cool.", minutes=15),
                DemoLesson(
                    "Check your glaze knowledge",
                    "Five questions on glazes and firing: pass with 60% to finish the section.",
                    Lesson.Kind.QUIZ,
                    10,
                ),
                DemoLesson(
                    "Your test tiles",
                    "Fire your twelve tiles, photograph them in daylight and note the cone and the cooling.",
                    Lesson.Kind.ASSIGNMENT,
                    30,
                ),
            ),
        ),
    ),
    price=Decimal("49.00"),
    grade_categories=(("Quizzes", "quizzes", 40), ("Assignments", "assignments", 60)),
)
# The test tiles' rubric: (criterion, what is judged, points).
TILES_RUBRIC = (
    ("Tile preparation", "Even thickness, labelled backs, bisque-fired clean.", 10),
    ("Glaze application", "Even coats; the dipping times noted per tile.", 15),
    ("Firing notes", "The cone reached, the schedule and what the cooling did.", 10),
)
SAFETY = DemoCourse(
    title="Studio safety in an hour",
    slug="studio-safety",
    summary="Dust, kilns and sharp tools: the few rules that keep a studio safe.",
    category="safety",
    level=Course.Level.ALL,
    outcomes=("Keep silica dust down", "Load and unload a kiln safely"),
    requirements=(),
    sections=(
        (
            "The rules",
            (
                DemoLesson("Dust", "Wet-clean, never sweep.", minutes=5),
                DemoLesson("Kilns", "Gloves, glasses and a log of every firing.", minutes=5),
            ),
        ),
    ),
)


def _category(slug: str) -> CourseCategory:
    name = next(name for name, known in CATEGORIES if known == slug)
    return CourseCategory.objects.get_or_create(slug=slug, defaults={"name": name})[0]


def _course(spec: DemoCourse, owner: User, *, colour: tuple[int, int, int]) -> Course:
    found = Course.objects.filter(slug=spec.slug).first()
    if found is not None:
        return found
    course = services.course_create(
        actor=owner,
        data=services.CourseInput(
            title=spec.title,
            slug=spec.slug,
            summary=spec.summary,
            description=_p(spec.summary, "Each lesson is short; do the exercise before the next one."),
            category_id=_category(spec.category).pk,
            level=spec.level,
            outcomes=spec.outcomes,
            requirements=spec.requirements,
        ),
    )
    for section_title, lessons in spec.sections:
        section = services.section_create(actor=owner, course=course, title=section_title)
        for item in lessons:
            lesson = services.lesson_create(
                actor=owner,
                section=section,
                kind=item.kind,
                data=services.LessonInput(title=item.title, body=_p(item.text), duration_minutes=item.minutes),
            )
            if item.kind == Lesson.Kind.ASSIGNMENT:
                _assignment(owner, lesson)
            if item.kind == Lesson.Kind.VIDEO:
                clip = video.demo_video(title=item.title, seconds=8, colour=colour)
                media.lesson_video_set(
                    actor=owner, lesson=lesson, file=SimpleUploadedFile("demo.webm", clip, "video/webm")
                )
            if item.preview or item.after_days is not None:
                services.lesson_set_rules(
                    actor=owner,
                    lesson=lesson,
                    rules=services.LessonRules(is_preview=item.preview, opens_after_days=item.after_days),
                )
            services.lesson_publish(actor=owner, lesson=lesson)
    for name, source, weight in spec.grade_categories:
        gradebook.grade_category_create(actor=owner, course=course, name=name, weight=weight, source=source)
    if spec.price is not None:
        services.course_settings_update(actor=owner, course=course, price=spec.price, currency="EUR")
    services.course_publish(actor=owner, course=course)
    return course


def _assignment(owner: User, lesson: Lesson) -> None:
    """The test tiles: photos or a PDF with notes, due three weeks after enrolling, graded on a
    three-criterion rubric; another try allowed."""
    settings = assignments.AssignmentSettings(
        submission_type=Assignment.SubmissionType.BOTH,
        allowed_extensions=("pdf", "jpg", "jpeg", "png"),
        max_file_mb=10,
        due_after_days=21,
        allow_resubmission=True,
    )
    assignment = assignments.assignment_settings_set(actor=owner, lesson=lesson, settings=settings)
    criteria = [assignments.CriterionInput(title, points, text) for title, text, points in TILES_RUBRIC]
    assignments.rubric_set(actor=owner, assignment=assignment, criteria=criteria)


GLAZE_QUESTIONS = (
    quizzes.QuestionInput(
        kind="single",
        prompt="At which cone do most mid-fire stoneware glazes mature?",
        choices=["Cone 04", "Cone 6", "Cone 10"],
        answer={"correct": 1},
        explanation="Mid-fire is cone 5 to 7; cone 04 is earthenware, cone 10 high fire.",
    ),
    quizzes.QuestionInput(
        kind="multiple",
        prompt="Which are the three parts of a glaze?",
        choices=["A glass former (silica)", "A flux", "A stabiliser (alumina)", "A wax resist"],
        answer={"correct": [0, 1, 2]},
        explanation="Silica makes the glass, the flux melts it, alumina keeps it on the pot.",
    ),
    quizzes.QuestionInput(
        kind="short_text",
        prompt="Name the clay mineral that brings most of a glaze's alumina.",
        answer={"pattern": r"(kaolin|china clay)", "case_sensitive": False},
        explanation="Kaolin (china clay): alumina and silica in one raw material.",
    ),
    quizzes.QuestionInput(
        kind="numeric",
        prompt="About how hot, in °C, is cone 6 with a 150 °C an hour finish?",
        answer={"value": "1222", "tolerance": "15"},
        points=2,
        explanation="Orton's chart gives 1222 °C for cone 6 at 150 °C an hour.",
    ),
    quizzes.QuestionInput(
        kind="ordering",
        prompt="Put the stages of a glaze firing in order.",
        choices=["Candling", "The climb", "The soak", "A slow cool"],
        explanation="Dry it out, climb to temperature, hold it, then cool slowly so glazes do not craze.",
    ),
)


def _glaze_quiz(course: Course, owner: User) -> None:
    """The glazes course's quiz lesson gets its questions and settings, once."""
    lesson = Lesson.objects.filter(course=course, kind=Lesson.Kind.QUIZ).select_related("course").first()
    if lesson is None or hasattr(lesson, "quiz"):
        return
    questions = [quizzes.question_create(actor=owner, course=course, data=data) for data in GLAZE_QUESTIONS]
    quizzes.quiz_update(
        actor=owner,
        lesson=lesson,
        settings=quizzes.QuizSettings(
            shuffle_choices=True, attempts_allowed=3, time_limit_seconds=600, pass_percent=60
        ),
        question_ids=[question.pk for question in questions],
    )


def _progress(student: User, course: Course, *, done: int, watched: int | None = None) -> None:
    """Enrol ``student`` in ``course`` and complete its first ``done`` lessons; ``watched``: how
    much of the first video lesson after them has been seen."""
    if selectors.enrolment_get(user=student, course=course) is not None:
        return
    enrolment = learning.course_enrol(user=student, course=course)
    lessons = selectors.lessons_in_order(selectors.outline(course))
    for lesson in lessons[:done]:
        learning.lesson_complete(user=student, enrolment=enrolment, lesson=lesson)
    if watched is not None:
        following = next((lesson for lesson in lessons[done:] if lesson.kind == Lesson.Kind.VIDEO), None)
        if following is not None:
            learning.lesson_progress_record(
                user=student, enrolment=enrolment, lesson=following, position_seconds=4, watched_percent=watched
            )


def _question(student: User, instructor: User, lesson: Lesson) -> None:
    """A question by the learner on ``lesson`` and the instructor's answer, approved by staff."""
    if Comment.objects.filter(target_kind=LESSON_KIND, target_id=lesson.pk).exists():
        return
    staff = User.objects.get(email=STAFF_EMAIL)
    question = comments.comment_create(author=student, target=lesson, body="Which clay body do you use for the bowls?")
    _approve_if_waiting(question, staff)
    answer = comments.comment_reply(
        author=instructor, parent=question, body="A smooth stoneware: it forgives a beginner's wet hands."
    )
    _approve_if_waiting(answer, staff)


def _approve_if_waiting(comment: Comment, staff: User) -> None:
    # Someone who already has an approved comment (the blog demo's threads) publishes at once.
    if comment.status == Comment.Status.PENDING:
        comments.comment_approve(comment=comment, moderator=staff)


CHECKLIST = """Before your first session at the wheel

- 2 kg of smooth stoneware, wedged
- a bucket of water and a sponge
- a wire cutter, a needle tool and a wooden rib
- an apron and short nails
"""


def _checklist(instructor: User, lesson: Lesson) -> None:
    if lesson.attachments.exists():
        return
    upload = SimpleUploadedFile("Studio checklist.md", CHECKLIST.encode(), "text/markdown")
    media.attachment_add(actor=instructor, lesson=lesson, file=upload, title="Studio checklist")


def _review(student: User, course: Course, rating: int, text: str) -> None:
    if reviews.review_of(user=student, course=course) is not None:
        return
    view = selectors.course_view(course, user=student)
    reviews.review_save(
        user=student, course=course, enrolment=view.enrolment, lessons_done=view.progress.done, rating=rating, text=text
    )


def seed_demo(*, write: Callable[[str], Any] = print) -> None:
    """The demo courses and the demo learner's progress (see the module's docstring)."""
    instructor = User.objects.get(email=INSTRUCTOR_EMAIL)
    student = User.objects.get(email=STUDENT_EMAIL)
    pottery = _course(POTTERY, instructor, colour=(120, 72, 40))
    glazes = _course(GLAZES, instructor, colour=(30, 90, 120))
    safety = _course(SAFETY, instructor, colour=(150, 40, 40))
    _glaze_quiz(glazes, instructor)
    if not glazes.cohorts.exists():
        start = timezone.localdate() + timedelta(days=14)
        cohorts.cohort_create(
            actor=instructor,
            course=glazes,
            name="Spring cohort",
            starts_on=start,
            ends_on=start + timedelta(days=28),
            seats=12,
        )
    _checklist(instructor, selectors.lessons_in_order(selectors.outline(pottery))[0])
    _progress(student, pottery, done=1, watched=50)
    _question(student, instructor, selectors.lessons_in_order(selectors.outline(pottery))[0])
    _progress(student, safety, done=len(selectors.lessons_in_order(selectors.outline(safety))))
    _review(student, safety, 5, "Short, clear and it changed how I set up my wheel. Every studio should show it.")
    live = Course.objects.filter(live=True).count()
    write(f"LMS: {live} live courses by {instructor.email}; {student.email} enrolled with progress")
