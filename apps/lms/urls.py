"""The learning platform's pages under /courses/ (the hook mounts this urlconf).

Each section is one area's pages; the catalogue's course and lesson addresses come last, as a
course's address is a free slug (``RESERVED_COURSE_SLUGS`` keeps the sections' own)."""

from django.urls import path

app_name = "lms"

urlpatterns: list = []

# --- The course editor, for instructors (apps/lms/views/manage*.py) -----------------------------
from apps.lms.views import manage, manage_learners, manage_outline  # noqa: E402

_course = "manage/<id:pk>/"
_lesson = f"{_course}lessons/<id:lesson_pk>/"
_section = f"{_course}sections/<id:section_pk>/"
urlpatterns += [
    path("manage/", manage.course_list, name="manage"),
    path("manage/new/", manage.course_create, name="manage-create"),
    path(_course, manage.course_settings, name="manage-course"),
    path(f"{_course}autosave/", manage.course_autosave, name="manage-course-autosave"),
    path(f"{_course}settings/", manage.course_settings_save, name="manage-course-settings"),
    path(f"{_course}cover/", manage.course_cover, name="manage-course-cover"),
    path(f"{_course}cover/remove/", manage.course_cover_remove, name="manage-course-cover-remove"),
    path(f"{_course}publish/", manage.course_publish, name="manage-course-publish"),
    path(f"{_course}unpublish/", manage.course_unpublish, name="manage-course-unpublish"),
    path(f"{_course}schedule/", manage.course_schedule, name="manage-course-schedule"),
    path(f"{_course}unschedule/", manage.course_unschedule, name="manage-course-unschedule"),
    path(f"{_course}instructors/", manage.instructor_add, name="manage-instructor-add"),
    path(f"{_course}instructors/<id:user_pk>/remove/", manage.instructor_remove, name="manage-instructor-remove"),
    path(f"{_course}outline/", manage_outline.outline, name="manage-outline"),
    path(f"{_course}outline/order/", manage_outline.outline_save, name="manage-outline-save"),
    path(f"{_course}sections/", manage_outline.section_create, name="manage-section-create"),
    path(f"{_section}rename/", manage_outline.section_rename, name="manage-section-rename"),
    path(f"{_section}delete/", manage_outline.section_delete, name="manage-section-delete"),
    path(f"{_section}move/", manage_outline.section_move, name="manage-section-move"),
    path(f"{_section}lessons/", manage_outline.lesson_create, name="manage-lesson-create"),
    path(_lesson, manage_outline.lesson_edit, name="manage-lesson"),
    path(f"{_lesson}autosave/", manage_outline.lesson_autosave, name="manage-lesson-autosave"),
    path(f"{_lesson}rules/", manage_outline.lesson_rules, name="manage-lesson-rules"),
    path(f"{_lesson}move/", manage_outline.lesson_move, name="manage-lesson-move"),
    path(f"{_lesson}video/", manage_outline.lesson_video, name="manage-lesson-video"),
    path(f"{_lesson}video/remove/", manage_outline.lesson_video_remove, name="manage-lesson-video-remove"),
    path(f"{_lesson}files/", manage_outline.lesson_attachment_add, name="manage-lesson-attachments"),
    path(
        f"{_lesson}files/<id:attachment_pk>/remove/",
        manage_outline.lesson_attachment_remove,
        name="manage-lesson-attachment-remove",
    ),
    path(f"{_lesson}publish/", manage_outline.lesson_publish, name="manage-lesson-publish"),
    path(f"{_lesson}unpublish/", manage_outline.lesson_unpublish, name="manage-lesson-unpublish"),
    path(f"{_course}learners/", manage_learners.learners, name="manage-learners"),
    path(f"{_course}learners/<id:enrolment_pk>/", manage_learners.learner_detail, name="manage-learner"),
    path(f"{_course}learners/<id:enrolment_pk>/open/", manage_learners.learner_open, name="manage-learner-open"),
    path(f"{_course}learners/<id:enrolment_pk>/clear/", manage_learners.learner_clear, name="manage-learner-clear"),
]

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
    path("manage/<id:pk>/announcements/", teach.course_announcements, name="announcements"),
    path("manage/<id:pk>/invitations/", teach.course_invitations, name="invitations"),
]

# --- Learners' pages (apps/lms/views/learn.py): last, as a course's address is a free slug ------
from apps.lms.views import learn  # noqa: E402

urlpatterns += [
    path("", learn.catalogue, name="catalogue"),
    path("mine/", learn.my_learning, name="my-learning"),
    path("mine/invitations/<str:token>/", learn.invitation_accept, name="invitation"),
    path("<slug:slug>/", learn.course_detail, name="course"),
    path("<slug:slug>/enrol/", learn.course_enrol, name="enrol"),
    path("<slug:slug>/buy/", learn.course_buy, name="buy"),
    path("<slug:slug>/continue/", learn.course_continue, name="continue"),
    path("<slug:slug>/review/", learn.course_review, name="review"),
    path("<slug:slug>/reviews/<id:user_id>/hide/", learn.review_hide, name="review-hide"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/", learn.lesson_detail, name="lesson"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/files/<id:pk>/", learn.lesson_attachment, name="attachment"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/done/", learn.lesson_complete, name="lesson-complete"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/progress/", learn.lesson_progress, name="lesson-progress"),
    path("<slug:slug>/lessons/<slug:lesson_slug>/submit/", grading.submission_create, name="assignment-submit"),
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
