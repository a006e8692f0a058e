"""/api/v1/lms/: the catalogue, a course's outline, the learner's enrolments and progress, lesson
content for enrolled learners, and instructors' endpoints under manage/."""

urlpatterns: list = []
