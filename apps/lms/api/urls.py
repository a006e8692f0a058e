"""/api/v1/lms/: the catalogue, a course's outline, the learner's enrolments and progress, lesson
content for enrolled learners, and instructors' endpoints under manage/.

Public reads and learning go by slug (a course's address, a lesson's within it), management by
id (stable while a draft's title and address change). A lesson's slug is matched as ``str``, not
``slug``: an address that is no slug simply names no lesson (404), as any unknown slug does."""

from django.urls import path

from apps.lms.api import (
    views_announcements,
    views_catalogue,
    views_certificates,
    views_grading,
    views_invitations,
    views_learning,
    views_manage,
    views_media,
    views_quizzes,
    views_reviews,
)

LESSON = "courses/<slug:slug>/lessons/<str:lesson_slug>/"

urlpatterns = [
    path("", views_catalogue.LmsApiRootView.as_view(), name="api-lms-root"),
    path("courses/", views_catalogue.CourseListView.as_view(), name="api-lms-courses"),
    path("courses/<slug:slug>/", views_catalogue.CourseDetailView.as_view(), name="api-lms-course"),
    path("courses/<slug:slug>/enrolment/", views_learning.EnrolmentCreateView.as_view(), name="api-lms-enrol"),
    path("courses/<slug:slug>/purchase/", views_catalogue.CoursePurchaseView.as_view(), name="api-lms-purchase"),
    path(LESSON, views_learning.LessonDetailView.as_view(), name="api-lms-lesson"),
    path(f"{LESSON}progress/", views_learning.LessonProgressView.as_view(), name="api-lms-lesson-progress"),
    path(f"{LESSON}completion/", views_learning.LessonCompletionView.as_view(), name="api-lms-lesson-completion"),
    path(
        "courses/<slug:slug>/announcements/",
        views_announcements.CourseAnnouncementListView.as_view(),
        name="api-lms-announcements",
    ),
    path("courses/<slug:slug>/reviews/", views_reviews.CourseReviewListView.as_view(), name="api-lms-reviews"),
    path("courses/<slug:slug>/review/", views_reviews.MyReviewView.as_view(), name="api-lms-my-review"),
    path(f"{LESSON}submissions/", views_grading.SubmissionListCreateView.as_view(), name="api-lms-lesson-submissions"),
    path(f"{LESSON}quiz/", views_quizzes.QuizView.as_view(), name="api-lms-quiz"),
    path(f"{LESSON}quiz/attempts/", views_quizzes.AttemptStartView.as_view(), name="api-lms-quiz-attempts"),
    path("attempts/<id:pk>/", views_quizzes.AttemptDetailView.as_view(), name="api-lms-attempt"),
    path(
        "attempts/<id:pk>/answers/<id:question_pk>/",
        views_quizzes.AnswerView.as_view(),
        name="api-lms-attempt-answer",
    ),
    path("attempts/<id:pk>/submission/", views_quizzes.SubmissionView.as_view(), name="api-lms-attempt-submission"),
    path("categories/", views_catalogue.CategoryListView.as_view(), name="api-lms-categories"),
    path("enrolments/", views_learning.EnrolmentListView.as_view(), name="api-lms-enrolments"),
    path("certificates/", views_certificates.CertificateListView.as_view(), name="api-lms-certificates"),
    path(
        "certificates/<uuid:certificate_uuid>/",
        views_certificates.CertificateDetailView.as_view(),
        name="api-lms-certificate",
    ),
    path(
        "certificates/<uuid:certificate_uuid>/revocation/",
        views_certificates.CertificateRevocationView.as_view(),
        name="api-lms-certificate-revocation",
    ),
    path("manage/courses/", views_manage.ManagedCourseListView.as_view(), name="api-lms-manage-courses"),
    path("manage/courses/<id:pk>/", views_manage.ManagedCourseView.as_view(), name="api-lms-manage-course"),
    path(
        "manage/courses/<id:pk>/publication/",
        views_manage.CoursePublicationView.as_view(),
        name="api-lms-manage-course-publication",
    ),
    path(
        "manage/courses/<id:pk>/certificates/",
        views_certificates.ManagedCertificateListView.as_view(),
        name="api-lms-manage-certificates",
    ),
    path(
        "manage/courses/<id:pk>/announcements/",
        views_announcements.ManagedAnnouncementView.as_view(),
        name="api-lms-manage-announcements",
    ),
    path(
        "manage/courses/<id:pk>/invitations/",
        views_invitations.InvitationListView.as_view(),
        name="api-lms-manage-invitations",
    ),
    path("manage/courses/<id:pk>/outline/", views_manage.OutlineView.as_view(), name="api-lms-manage-outline"),
    path("manage/courses/<id:pk>/sections/", views_manage.SectionCreateView.as_view(), name="api-lms-manage-sections"),
    path("manage/sections/<id:pk>/lessons/", views_manage.LessonCreateView.as_view(), name="api-lms-manage-lessons"),
    path("manage/lessons/<id:pk>/", views_manage.ManagedLessonView.as_view(), name="api-lms-manage-lesson"),
    path("manage/lessons/<id:pk>/video/", views_media.LessonVideoView.as_view(), name="api-lms-manage-video"),
    path(
        "manage/lessons/<id:pk>/attachments/",
        views_media.LessonAttachmentListView.as_view(),
        name="api-lms-manage-attachments",
    ),
    path("manage/attachments/<id:pk>/", views_media.LessonAttachmentView.as_view(), name="api-lms-manage-attachment"),
    path(
        "manage/lessons/<id:pk>/publication/",
        views_manage.LessonPublicationView.as_view(),
        name="api-lms-manage-lesson-publication",
    ),
    path("manage/grading/", views_grading.GradingQueueView.as_view(), name="api-lms-manage-grading"),
    path(
        "manage/submissions/<id:pk>/grade/",
        views_grading.SubmissionGradeView.as_view(),
        name="api-lms-manage-submission-grade",
    ),
    path("manage/courses/<id:pk>/gradebook/", views_grading.GradebookView.as_view(), name="api-lms-manage-gradebook"),
    path(
        "manage/enrolments/<id:pk>/grade-override/",
        views_grading.GradeOverrideView.as_view(),
        name="api-lms-manage-grade-override",
    ),
    path(
        "manage/lessons/<id:pk>/assignment/",
        views_grading.AssignmentSettingsView.as_view(),
        name="api-lms-manage-assignment",
    ),
    path(
        "manage/courses/<id:pk>/questions/", views_quizzes.QuestionBankView.as_view(), name="api-lms-manage-questions"
    ),
    path("manage/questions/<id:pk>/", views_quizzes.QuestionView.as_view(), name="api-lms-manage-question"),
    path("manage/lessons/<id:pk>/quiz/", views_quizzes.ManagedQuizView.as_view(), name="api-lms-manage-quiz"),
    path(
        "manage/lessons/<id:pk>/quiz/statistics/",
        views_quizzes.ItemStatisticsView.as_view(),
        name="api-lms-manage-quiz-statistics",
    ),
]
