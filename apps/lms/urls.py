"""The learning platform's pages under /courses/ (the hook mounts this urlconf).

Each section is one area's pages; the catalogue's course and lesson addresses come last, as a
course's address is a free slug (``RESERVED_COURSE_SLUGS`` keeps the sections' own)."""

from django.urls import path

app_name = "lms"

urlpatterns: list = []

# --- The course editor, for instructors (apps/lms/views/manage.py) ------------------------------
# (added by the course editor's increment)

# Quizzes: a course's question bank, a quiz lesson's settings and statistics (apps/lms/views/quizzes.py).
from apps.lms.views import quizzes  # noqa: E402

urlpatterns += [
    path("manage/<id:pk>/quizzes/", quizzes.question_bank, name="quiz-bank"),
    path("manage/<id:pk>/quizzes/questions/new/", quizzes.question_edit, name="quiz-question-new"),
    path("manage/<id:pk>/quizzes/questions/<id:question_pk>/", quizzes.question_edit, name="quiz-question"),
    path(
        "manage/<id:pk>/quizzes/questions/<id:question_pk>/delete/",
        quizzes.question_delete,
        name="quiz-question-delete",
    ),
    path("manage/<id:pk>/quizzes/<id:lesson_pk>/", quizzes.quiz_settings, name="quiz-settings"),
    path("manage/<id:pk>/quizzes/<id:lesson_pk>/statistics/", quizzes.quiz_statistics, name="quiz-statistics"),
]


# --- Instructors towards their learners (apps/lms/views/teach.py) ------------------------------
from apps.lms.views import teach  # noqa: E402

urlpatterns += [
    path("manage/enrolments/<id:pk>/nudge/", teach.learner_nudge, name="nudge"),
]

# --- Learners' pages (apps/lms/views/learn.py): last, as a course's address is a free slug ------
from apps.lms.views import learn  # noqa: E402

urlpatterns += [
    path("", learn.catalogue, name="catalogue"),
    path("mine/", learn.my_learning, name="my-learning"),
    path("<slug:slug>/", learn.course_detail, name="course"),
    path("<slug:slug>/enrol/", learn.course_enrol, name="enrol"),
    path("<slug:slug>/continue/", learn.course_continue, name="continue"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/", learn.lesson_detail, name="lesson"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/done/", learn.lesson_complete, name="lesson-complete"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/progress/", learn.lesson_progress, name="lesson-progress"),
    # A quiz lesson's attempts (apps/lms/views/quizzes.py).
    path("<slug:slug>/lessons/<slug:lesson_slug>/quiz/start/", quizzes.attempt_start, name="quiz-start"),
    path(
        "<slug:slug>/lessons/<slug:lesson_slug>/quiz/attempts/<id:pk>/answers/<id:question_pk>/",
        quizzes.answer_save,
        name="quiz-answer",
    ),
    path(
        "<slug:slug>/lessons/<slug:lesson_slug>/quiz/attempts/<id:pk>/submit/",
        quizzes.attempt_submit,
        name="quiz-submit",
    ),
]
