"""The learning platform's page forms."""

from __future__ import annotations

from django import forms

from apps.lms.services.announcements import BODY_MAX, TITLE_MAX
from apps.lms.services.certificates import MAX_REASON


class CertificateRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why is it revoked?",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on the certificate's public page and told to the learner.",
    )


class AnnouncementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX)
    body = forms.CharField(
        label="Message",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Plain text. Every active learner of the course is told through their notifications.",
    )


class InvitationForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text="Separated by commas or lines. Accounts get a place at once; other addresses get a link.",
    )


# --- Assignments and grading ---------------------------------------------------------------------


class SubmissionForm(forms.Form):
    """A learner's hand-in; which fields show depends on the assignment (text, file, both)."""

    text = forms.CharField(
        label="Your answer", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    file = forms.FileField(label="Your file", required=False)

    def __init__(self, *args: object, assignment: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if assignment is not None:
            if not assignment.takes_text:
                del self.fields["text"]
            if not assignment.takes_file:
                del self.fields["file"]
            else:
                from apps.lms.submission_files import DEFAULT_EXTENSIONS

                extensions = assignment.allowed_extensions or list(DEFAULT_EXTENSIONS)
                self.fields["file"].widget.attrs["accept"] = ",".join(f".{item}" for item in extensions)
                self.fields[
                    "file"
                ].help_text = f"{', '.join('.' + item for item in extensions)}; at most {assignment.max_file_mb} MB."


class GradeForm(forms.Form):
    """A grader's form for one submission: a field per rubric criterion (or the total), the
    feedback, and the version of the review they read."""

    feedback = forms.CharField(
        label="Feedback", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0, initial=0)
    return_it = forms.BooleanField(
        label="Return it for another try",
        required=False,
        help_text="The learner may hand in again; say what to change.",
    )

    def __init__(self, *args: object, assignment: object, review: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(assignment.criteria.all())
        scores = dict(review.scores) if review is not None else {}
        for criterion in self.criteria:
            self.fields[f"criterion_{criterion.pk}"] = forms.DecimalField(
                label=f"{criterion.title} (out of {criterion.max_points})",
                help_text=criterion.description,
                min_value=0,
                max_value=criterion.max_points,
                decimal_places=2,
                initial=scores.get(str(criterion.pk)),
            )
        if not self.criteria:
            self.fields["total"] = forms.DecimalField(
                label=f"Points (out of {assignment.points})",
                min_value=0,
                max_value=assignment.points,
                decimal_places=2,
                initial=review.total if review is not None else None,
            )
        self.fields["feedback"].initial = review.feedback if review is not None else ""
        self.fields["based_on"].initial = review.version if review is not None else 0
        self.order_fields([*(f"criterion_{c.pk}" for c in self.criteria), "total", "feedback", "return_it"])

    def scores(self) -> dict[int, object]:
        return {criterion.pk: self.cleaned_data.get(f"criterion_{criterion.pk}") for criterion in self.criteria}


class GradeCategoryForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80)
    weight = forms.DecimalField(label="Weight", min_value=0.01, max_value=100, decimal_places=2)
    source = forms.ChoiceField(label="Items from", choices=(("quizzes", "Quizzes"), ("assignments", "Assignments")))


class GradeOverrideForm(forms.Form):
    enrolment = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    grade = forms.DecimalField(label="New grade (%)", min_value=0, max_value=100, decimal_places=2)
    reason = forms.CharField(label="Why", max_length=500)


def _rubric_lines(text: str) -> list[tuple[int, str, str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        try:
            points = int(parts[0])
        except ValueError:
            raise forms.ValidationError(f"Line {number}: start with the points, then | and the title.") from None
        if len(parts) < 2 or not parts[1]:
            raise forms.ValidationError(f"Line {number}: give the criterion a title after the points.")
        rows.append((points, parts[1], " | ".join(parts[2:])))
    return rows


class AssignmentSettingsForm(forms.Form):
    """An assignment's settings and rubric, for who teaches the course."""

    submission_type = forms.ChoiceField(
        label="Learners hand in", choices=(("text", "Text"), ("file", "A file"), ("both", "Text and a file"))
    )
    allowed_extensions = forms.MultipleChoiceField(
        label="Files accepted", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    max_file_mb = forms.IntegerField(label="Largest file (MB)", min_value=1, max_value=50, initial=10)
    due_at = forms.DateTimeField(
        label="Due on", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    due_after_days = forms.IntegerField(
        label="Or due this many days after enrolling", required=False, min_value=0, max_value=3650
    )
    accept_late = forms.BooleanField(label="Take late work (marked late)", required=False, initial=True)
    allow_resubmission = forms.BooleanField(label="Learners may hand in again", required=False)
    points = forms.IntegerField(
        label="Points", min_value=1, max_value=1000, initial=100, help_text="Without a rubric; with one, its sum."
    )
    rubric = forms.CharField(
        label="Rubric",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One criterion a line: points | title | what is judged. Empty: a total out of the points.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from apps.lms.submission_files import KNOWN

        self.fields["allowed_extensions"].choices = [(name, f".{name}") for name in KNOWN]

    def clean_rubric(self) -> list[tuple[int, str, str]]:
        return _rubric_lines(self.cleaned_data.get("rubric", ""))

    @staticmethod
    def initial_for(assignment: object) -> dict[str, object]:
        if assignment is None:
            return {}
        return {
            "submission_type": assignment.submission_type,
            "allowed_extensions": assignment.allowed_extensions,
            "max_file_mb": assignment.max_file_mb,
            "due_at": assignment.due_at,
            "due_after_days": assignment.due_after_days,
            "accept_late": assignment.accept_late,
            "allow_resubmission": assignment.allow_resubmission,
            "points": assignment.points,
            "rubric": "\n".join(
                " | ".join(filter(None, [str(c.max_points), c.title, c.description])) for c in assignment.criteria.all()
            ),
        }
