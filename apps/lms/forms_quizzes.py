"""The quiz pages' forms: a question of the bank as an instructor writes it, a quiz's settings,
and a learner's response read from the quiz form. Validation beyond a field's shape is the
service's (services/quizzes/), whose refusals the views put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from apps.lms.models import Question, Quiz
from apps.lms.services.quizzes import QuestionInput, QuizSettings

CORRECT_MARK = "*"


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=Question.Kind.choices)
    prompt = forms.CharField(label="Question", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=(
            f"Single, multiple choice and ordering: one choice per line. Start the correct ones with "
            f"{CORRECT_MARK} (single and multiple choice); for ordering, write them in the right order."
        ),
    )
    truth = forms.ChoiceField(
        label="The statement is", choices=[("true", "True"), ("false", "False")], required=False, initial="true"
    )
    accepted = forms.CharField(
        label="Accepted answers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Short text: one accepted answer per line (spaces and, unless case-sensitive, case are ignored).",
    )
    pattern = forms.CharField(
        required=False,
        max_length=200,
        help_text="Short text, instead of accepted answers: a regular expression the whole answer must match.",
    )
    case_sensitive = forms.BooleanField(required=False)
    value = forms.CharField(label="Number", required=False, max_length=30, help_text="Numeric: the right number.")
    tolerance = forms.CharField(required=False, max_length=30, help_text="Numeric: how far off still counts.")
    points = forms.IntegerField(min_value=1, max_value=100, initial=1)
    explanation = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown with the results, when the quiz's feedback setting allows.",
    )

    def to_input(self) -> QuestionInput:
        data = self.cleaned_data
        kind = data["kind"]
        lines = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        texts = [line.removeprefix(CORRECT_MARK).strip() for line in lines]
        marked = [i for i, line in enumerate(lines) if line.startswith(CORRECT_MARK)]
        answer: dict[str, Any] = {}
        if kind == Question.Kind.SINGLE:
            answer = {"correct": marked[0] if len(marked) == 1 else -1}
        elif kind == Question.Kind.MULTIPLE:
            answer = {"correct": marked}
        elif kind == Question.Kind.TRUE_FALSE:
            answer = {"value": data.get("truth") != "false"}
        elif kind == Question.Kind.SHORT_TEXT:
            case = bool(data.get("case_sensitive"))
            if data.get("pattern"):
                answer = {"pattern": data["pattern"], "case_sensitive": case}
            else:
                answer = {"accepted": data.get("accepted", "").splitlines(), "case_sensitive": case}
        elif kind == Question.Kind.NUMERIC:
            answer = {"value": data.get("value", ""), "tolerance": data.get("tolerance") or "0"}
        return QuestionInput(
            kind=kind,
            prompt=data["prompt"],
            choices=texts,
            answer=answer,
            points=data["points"],
            explanation=data.get("explanation", ""),
        )

    @classmethod
    def initial_of(cls, question: Question) -> dict[str, Any]:
        """The form's values for an existing question."""
        answer = question.answer
        correct = set(answer.get("choices", [answer.get("choice")]))
        lines = [
            f"{CORRECT_MARK} {choice['text']}"
            if question.kind != Question.Kind.ORDERING and choice["id"] in correct
            else choice["text"]
            for choice in question.choices
        ]
        return {
            "kind": question.kind,
            "prompt": question.prompt,
            "choices": "\n".join(lines),
            "truth": "true" if answer.get("value") is True else "false",
            "accepted": "\n".join(answer.get("accepted", [])),
            "pattern": answer.get("pattern", ""),
            "case_sensitive": bool(answer.get("case_sensitive")),
            "value": answer.get("value", "") if question.kind == Question.Kind.NUMERIC else "",
            "tolerance": answer.get("tolerance", ""),
            "points": question.points,
            "explanation": question.explanation,
        }


class QuizSettingsForm(forms.Form):
    shuffle_questions = forms.BooleanField(
        required=False, help_text="Each attempt shows the questions in its own order."
    )
    shuffle_choices = forms.BooleanField(required=False, help_text="Each attempt shows the choices in its own order.")
    attempts_allowed = forms.IntegerField(
        required=False, min_value=1, max_value=100, help_text="Leave empty for as many as a learner likes."
    )
    time_limit_seconds = forms.IntegerField(
        label="Time limit (seconds)",
        required=False,
        min_value=30,
        max_value=24 * 3600,
        help_text="Leave empty for no limit. The server's clock decides; answers after it are not saved.",
    )
    pass_percent = forms.IntegerField(label="Pass mark (%)", min_value=0, max_value=100, initial=60)
    feedback = forms.ChoiceField(
        choices=Quiz.Feedback.choices, help_text="When learners see the right answers and explanations."
    )
    due_at = forms.DateTimeField(
        label="Due date",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Needed for feedback after the due date.",
    )

    def to_settings(self) -> QuizSettings:
        data = self.cleaned_data
        return QuizSettings(
            shuffle_questions=data["shuffle_questions"],
            shuffle_choices=data["shuffle_choices"],
            attempts_allowed=data["attempts_allowed"],
            time_limit_seconds=data["time_limit_seconds"],
            pass_percent=data["pass_percent"],
            feedback=data["feedback"],
            due_at=data["due_at"],
        )


def picked_questions(data: QueryDict, bank: list[Question]) -> list[int]:
    """The question picker's choice: the bank's questions given a position ("pos-<id>"), in the
    order of their positions (then as the bank lists them)."""
    picked = []
    for index, question in enumerate(bank):
        raw = data.get(f"pos-{question.pk}", "").strip()
        if raw.isdigit() and 0 < int(raw) <= 1000:
            picked.append((int(raw), index, question.pk))
    return [pk for _, _, pk in sorted(picked)]


def response_of(item: dict[str, Any], data: QueryDict) -> Any:
    """A learner's response to one question of the quiz form (``item``: the question as shown,
    services/quizzes/ ``question_public``), None when they left it empty. The service checks it."""
    name = f"q{item['id']}"
    kind = item["kind"]
    if kind == Question.Kind.MULTIPLE:
        picked = data.getlist(name)
        return picked or None
    if kind == Question.Kind.ORDERING:
        ranks = []
        for index, choice in enumerate(item["choices"]):
            raw = data.get(f"{name}-{choice['id']}", "").strip()
            if not raw.isdigit():
                return None
            ranks.append((int(raw), index, choice["id"]))
        return [pk for _, _, pk in sorted(ranks)]
    raw = data.get(name)
    if raw is None or not raw.strip():
        return None
    if kind == Question.Kind.TRUE_FALSE:
        return {"true": True, "false": False}.get(raw, raw)
    return raw
