"""The learning platform's pages under /courses/ (the hook mounts this urlconf).

Each section is one area's pages; the catalogue's course and lesson addresses come last, as a
course's address is a free slug (``RESERVED_COURSE_SLUGS`` keeps the sections' own)."""

from django.urls import path

app_name = "lms"

urlpatterns: list = []

# --- The course editor, for instructors (apps/lms/views/manage.py) ------------------------------
# (added by the course editor's increment)

# Assignments (apps/lms/views/grading.py): an assignment's settings, the queue, one submission, its file.
from apps.lms.views import grading  # noqa: E402

urlpatterns += [
    path("manage/lessons/<id:pk>/assignment/", grading.assignment_settings, name="assignment-settings"),
    path("manage/grading/", grading.grading_queue, name="grading-queue"),
    path("manage/grading/<id:pk>/", grading.submission_grade, name="grading-submission"),
    path("manage/submissions/<id:pk>/file/", grading.submission_file, name="submission-file"),
]

# The gradebook of a course (apps/lms/views/gradebook.py).
from apps.lms.views import gradebook  # noqa: E402

urlpatterns += [
    path("manage/<id:pk>/gradebook/", gradebook.gradebook_page, name="gradebook"),
    path("manage/<id:pk>/gradebook/export.csv", gradebook.gradebook_csv, name="gradebook-csv"),
    path("manage/<id:pk>/gradebook/categories/", gradebook.category_create, name="gradebook-category-create"),
    path(
        "manage/<id:pk>/gradebook/categories/<id:category_pk>/delete/",
        gradebook.category_delete,
        name="gradebook-category-delete",
    ),
    path("manage/<id:pk>/gradebook/overrides/", gradebook.grade_override, name="gradebook-override"),
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
    path("<slug:slug>/lessons/<slug:lesson_slug>/submit/", grading.submission_create, name="assignment-submit"),
]
