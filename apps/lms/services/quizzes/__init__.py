"""Writes of quizzes: a course's question bank, a quiz lesson's settings and questions, and a
learner's attempts (start, answers saved as they go, submission and grading).

Timing is the server's: an attempt's ``deadline`` is computed here at its start (``started_at``
plus the quiz's time limit), and every answer and submission is judged against the server's
clock, whatever the browser's countdown says. ``GRACE`` (two seconds) absorbs the network: an
answer the learner sent as the countdown ran out still counts if it arrives within it; nothing
later does. An attempt past its deadline is graded with the answers saved in time when its
learner submits it, starts another, or beat sweeps it (``attempts_close_expired``), so no
learner is left with an attempt open for ever.

What is correct (``Question.answer``, ``explanation``) never reaches a learner before they
submitted: every surface shows a question through ``question_public``, which has no answer data,
and the results through ``question_result``, which adds it only when the quiz's feedback setting
allows (``permissions.quiz_feedback_open``).

Concurrency: starts lock the enrolment's row, so two at once give one attempt (the partial
unique index ``lms_one_open_attempt`` refuses a second open one besides); saving an answer locks
the attempt's row, and whoever closes an attempt (a submission, a start finding it expired,
beat's sweep) locks the enrolment's row and then the attempt's, one order for all of them (a pass
completes the lesson and maybe the course, which locks the enrolment again), so no answer lands
in a graded attempt and no attempt is graded twice.
"""

from apps.lms.services.quizzes.attempts import (
    GRACE,
    Started,
    answer_save,
    attempt_start,
    attempt_submit,
    attempts_close_expired,
    expired,
    time_up,
)
from apps.lms.services.quizzes.bank import (
    MAX_CHOICE_CHARS,
    MAX_CHOICES,
    MAX_QUESTIONS_PER_COURSE,
    MAX_QUESTIONS_PER_QUIZ,
    QuestionInput,
    QuizSettings,
    check_pattern,
    question_create,
    question_delete,
    question_input_of,
    question_update,
    quiz_update,
)
from apps.lms.services.quizzes.grading import (
    MAX_TEXT_ANSWER,
    clean_response,
    correct_answer,
    grade,
    question_public,
    question_result,
)

__all__ = [
    "GRACE",
    "MAX_CHOICES",
    "MAX_CHOICE_CHARS",
    "MAX_QUESTIONS_PER_COURSE",
    "MAX_QUESTIONS_PER_QUIZ",
    "MAX_TEXT_ANSWER",
    "QuestionInput",
    "QuizSettings",
    "Started",
    "answer_save",
    "attempt_start",
    "attempt_submit",
    "attempts_close_expired",
    "check_pattern",
    "clean_response",
    "correct_answer",
    "expired",
    "grade",
    "question_create",
    "question_delete",
    "question_input_of",
    "question_public",
    "question_result",
    "question_update",
    "quiz_update",
    "time_up",
]
