"""What a learner is shown of a question, and grading: ``question_public`` (the one shape a
question has before its attempt is submitted: no answer data), ``question_result`` (adds what was
right when the feedback setting allows), a response checked against its kind
(``clean_response``) and graded (``grade``, all or nothing per question)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from apps.lms.models import Answer, Question

MAX_TEXT_ANSWER = 200  # a short text answer is cut to this before it is matched
TRUE_FALSE_CHOICES = ({"id": "true", "text": "True"}, {"id": "false", "text": "False"})
CHOICE_KINDS = frozenset({Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.ORDERING})


def decimal_of(value: Any, name: str = "answer") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValidationError({name: "A number."})
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError({name: "A number."}) from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise ValidationError({name: "A number, less than a trillion."})
    return number


def question_public(question: Question, *, choice_order: list[str] | None = None) -> dict[str, Any]:
    """A question as a learner may see it before submitting: its prompt, points and choices (in
    ``choice_order``, the attempt's shuffle), never what is correct nor the explanation. The one
    shape every page and API answer shows a question in before its attempt is submitted."""
    choices = list(TRUE_FALSE_CHOICES) if question.kind == Question.Kind.TRUE_FALSE else list(question.choices)
    if choice_order:
        by_id = {choice["id"]: choice for choice in choices}
        choices = [by_id[pk] for pk in choice_order if pk in by_id]
    return {
        "id": question.pk,
        "kind": question.kind,
        "prompt": question.prompt,
        "points": question.points,
        "choices": [{"id": choice["id"], "text": choice["text"]} for choice in choices],
    }


def correct_answer(question: Question) -> Any:
    """What is correct, in a response's own shape (for results, once they may be shown)."""
    answer = question.answer
    return {
        Question.Kind.SINGLE: lambda: answer["choice"],
        Question.Kind.MULTIPLE: lambda: answer["choices"],
        Question.Kind.TRUE_FALSE: lambda: answer["value"],
        Question.Kind.SHORT_TEXT: lambda: answer["accepted"][0] if "accepted" in answer else answer["pattern"],
        Question.Kind.NUMERIC: lambda: answer["value"],
        Question.Kind.ORDERING: lambda: answer["order"],
    }[question.kind]()


def question_result(
    question: Question, answer: Answer | None, *, choice_order: list[str] | None, reveal: bool
) -> dict[str, Any]:
    """A question of a submitted attempt: what the learner answered and, when ``reveal`` (the
    feedback setting allows it), whether it was right, its points, what is correct and why."""
    data = question_public(question, choice_order=choice_order)
    data["response"] = answer.response if answer is not None else None
    if reveal:
        data["correct"] = bool(answer is not None and answer.correct)
        data["points_awarded"] = str(answer.points if answer is not None and answer.points is not None else 0)
        data["correct_answer"] = correct_answer(question)
        data["explanation"] = question.explanation
    return data


def _fold(text: str, case_sensitive: bool) -> str:
    text = " ".join(text.split())
    return text if case_sensitive else text.casefold()


def clean_response(question: Question, response: Any) -> tuple[Any, str]:
    """A learner's response in its kind's shape and as a comparable key; ValidationError
    (``bad_answer``) when it is not one: single a choice's id, multiple a list of them,
    true_false a boolean, short_text a text, numeric a number, ordering every choice's id once."""
    ids = [choice["id"] for choice in question.choices]
    kind = question.kind

    def bad(message: str) -> ValidationError:
        return ValidationError(message, code="bad_answer")

    if kind == Question.Kind.SINGLE:
        if not isinstance(response, str) or response not in ids:
            raise bad("Pick one of the choices (its id).")
        return response, response
    if kind == Question.Kind.MULTIPLE:
        if not isinstance(response, list) or not all(isinstance(pk, str) and pk in ids for pk in response):
            raise bad("Pick choices (a list of their ids).")
        picked = [pk for pk in ids if pk in set(response)]
        return picked, ",".join(picked)
    if kind == Question.Kind.TRUE_FALSE:
        if not isinstance(response, bool):
            raise bad("Answer true or false.")
        return response, "true" if response else "false"
    if kind == Question.Kind.SHORT_TEXT:
        if not isinstance(response, str):
            raise bad("Answer with a short text.")
        text = " ".join(response.split())[:MAX_TEXT_ANSWER]
        return text, text.casefold()
    if kind == Question.Kind.NUMERIC:
        try:
            number = decimal_of(response)
        except ValidationError:
            raise bad("Answer with a number.") from None
        return str(number), str(number.normalize())
    if kind == Question.Kind.ORDERING:
        if not isinstance(response, list) or sorted(map(str, response)) != sorted(ids) or len(response) != len(ids):
            raise bad("Put every item in order (a list of all their ids).")
        return list(response), ",".join(response)
    raise bad("Unknown kind of question.")


def grade(question: Question, response: Any) -> bool:
    """Whether ``response`` (already cleaned) is correct. All or nothing for every kind: a
    multiple choice is right when exactly the correct choices are picked."""
    answer, kind = question.answer, question.kind
    if response is None:
        return False
    if kind == Question.Kind.SINGLE:
        return response == answer.get("choice")
    if kind == Question.Kind.MULTIPLE:
        return sorted(response) == sorted(answer.get("choices", []))
    if kind == Question.Kind.TRUE_FALSE:
        return response is answer.get("value")
    if kind == Question.Kind.SHORT_TEXT:
        case = bool(answer.get("case_sensitive"))
        text = " ".join(str(response).split())[:MAX_TEXT_ANSWER]
        if "pattern" in answer:
            return re.fullmatch(answer["pattern"], text, 0 if case else re.IGNORECASE) is not None
        return _fold(text, case) in {_fold(accepted, case) for accepted in answer.get("accepted", [])}
    if kind == Question.Kind.NUMERIC:
        value, tolerance = Decimal(answer["value"]), Decimal(answer.get("tolerance", "0"))
        return abs(Decimal(str(response)) - value) <= tolerance
    if kind == Question.Kind.ORDERING:
        return list(response) == list(answer.get("order", []))
    return False
