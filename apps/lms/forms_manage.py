"""The course editor's forms (apps/lms/views/manage*.py). Each turns what was posted into a
service's input; the services decide the rules (apps/lms/services/courses.py). The bodies use
the platform's block editor (``BlocksField``: JSON in a textarea without JavaScript, the
writer's editor with it, autosaved with ``based_on`` as the blog's post editor does)."""

from __future__ import annotations

from typing import Any

from django import forms

from apps.core.blocks import BlocksField
from apps.lms.models import MAX_LINES, Course, CourseCategory, Lesson
from apps.lms.services.courses import CourseInput, LessonInput, LessonRules

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CourseCreateForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="You can change it later; the course starts as a draft.")


class CourseContentForm(forms.Form):
    """The landing page's content: a new revision of the course's draft."""

    title = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=100, required=False, label="Address", help_text="As in /courses/my-course/. Kept when empty."
    )
    summary = forms.CharField(max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    description = BlocksField(label="Description")
    category = forms.ModelChoiceField(queryset=CourseCategory.objects.all(), required=False)
    level = forms.ChoiceField(choices=Course.Level.choices)
    language = forms.CharField(max_length=12, initial="en", help_text="A language code, as en or fr.")
    outcomes = forms.CharField(
        required=False,
        label="What learners will be able to do",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"One per line, at most {MAX_LINES}.",
    )
    requirements = forms.CharField(
        required=False,
        label="What learners need first",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One per line, at most {MAX_LINES}.",
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @staticmethod
    def initial_for(content: dict[str, Any], based_on: int) -> dict[str, Any]:
        return {
            **{name: content.get(name, "") for name in ("title", "slug", "summary", "level", "language")},
            "description": content.get("description") or [],
            "category": content.get("category"),
            "outcomes": "\n".join(content.get("outcomes") or []),
            "requirements": "\n".join(content.get("requirements") or []),
            "based_on": based_on,
        }

    def course_input(self) -> CourseInput:
        data = self.cleaned_data
        return CourseInput(
            title=data["title"],
            slug=data["slug"],
            summary=data["summary"],
            description=data["description"],
            category_id=data["category"].pk if data["category"] else None,
            level=data["level"],
            language=data["language"],
            outcomes=tuple(data["outcomes"].splitlines()),
            requirements=tuple(data["requirements"].splitlines()),
        )


class CourseSettingsForm(forms.Form):
    """What is not content and applies at once: price, pass mark, prerequisite."""

    free = forms.BooleanField(required=False, label="Free course")
    price = forms.DecimalField(
        required=False, min_value=0, max_value=99_999_999, decimal_places=2, help_text="Ignored for a free course."
    )
    currency = forms.RegexField(regex=r"^[A-Za-z]{3}$", max_length=3, initial="EUR", help_text="As EUR or USD.")
    pass_mark = forms.IntegerField(min_value=0, max_value=100, label="Pass mark (%)")
    prerequisite = forms.ModelChoiceField(
        queryset=Course.objects.none(), required=False, label="Course to complete first", empty_label="None"
    )

    def __init__(self, *args: Any, prerequisites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if prerequisites is not None:
            self.fields["prerequisite"].queryset = prerequisites

    @staticmethod
    def initial_for(course: Course) -> dict[str, Any]:
        return {
            "free": course.is_free,
            "price": course.price,
            "currency": course.currency,
            "pass_mark": course.pass_mark,
            "prerequisite": course.prerequisite_id,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("free") and not data.get("price") and "price" not in self.errors:
            self.add_error("price", "Give a price, or tick “Free course”.")
        return data

    def amount(self) -> Any:
        return 0 if self.cleaned_data["free"] else self.cleaned_data["price"]


class CoverForm(forms.Form):
    cover = forms.FileField(
        label="Cover image",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
        help_text="PNG, JPEG, GIF or WebP, up to 5 MB. Shown on the catalogue's card (16:9).",
    )


class ScheduleForm(forms.Form):
    go_live_at = forms.DateTimeField(label="Publish at (UTC)", widget=DATETIME)


class InstructorAddForm(forms.Form):
    email = forms.EmailField(label="Co-instructor's email", help_text="Someone with the instructor role.")


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200, label="Section title")


class LessonCreateForm(forms.Form):
    title = forms.CharField(max_length=200, label="Lesson title")
    kind = forms.ChoiceField(choices=Lesson.Kind.choices, initial=Lesson.Kind.TEXT)


class LessonContentForm(forms.Form):
    """The lesson's content: a new revision of its draft."""

    title = forms.CharField(max_length=200)
    body = BlocksField(label="Body", help_text="Markdown shortcuts work as you type: ## heading, **bold**, - list.")
    duration_minutes = forms.IntegerField(min_value=0, max_value=24 * 60, label="Estimated minutes")
    based_on = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @staticmethod
    def initial_for(content: dict[str, Any], based_on: int) -> dict[str, Any]:
        return {
            "title": content.get("title", ""),
            "body": content.get("body") or [],
            "duration_minutes": content.get("duration_minutes", 5),
            "based_on": based_on,
        }

    def lesson_input(self) -> LessonInput:
        data = self.cleaned_data
        return LessonInput(title=data["title"], body=data["body"], duration_minutes=data["duration_minutes"])


class LessonRulesForm(forms.Form):
    """Kind, free preview and drip: the outline's rules, applied at once."""

    kind = forms.ChoiceField(choices=Lesson.Kind.choices)
    is_preview = forms.BooleanField(required=False, label="Free preview (anyone may open it)")
    opens_at = forms.DateTimeField(required=False, label="Opens on (UTC)", widget=DATETIME)
    opens_after_days = forms.IntegerField(
        required=False, min_value=0, max_value=3650, label="Opens … days after enrolment"
    )
    prerequisite = forms.ModelChoiceField(
        queryset=Lesson.objects.none(), required=False, label="Lesson to complete first", empty_label="None"
    )

    def __init__(self, *args: Any, earlier: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if earlier is not None:
            self.fields["prerequisite"].queryset = earlier

    @staticmethod
    def initial_for(lesson: Lesson) -> dict[str, Any]:
        fields = ("kind", "is_preview", "opens_at", "opens_after_days")
        return {**{name: getattr(lesson, name) for name in fields}, "prerequisite": lesson.prerequisite_id}

    def rules(self) -> LessonRules:
        data = self.cleaned_data
        return LessonRules(
            kind=data["kind"],
            is_preview=data["is_preview"],
            opens_at=data["opens_at"],
            opens_after_days=data["opens_after_days"],
            prerequisite_id=data["prerequisite"].pk if data["prerequisite"] else None,
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=(
            "PDF, office documents, zip, epub, images, mp3 or text; at most 50 MB. "
            "Learners download it under the lesson's rules."
        ),
    )
    title = forms.CharField(label="Title", max_length=160, required=False, help_text="Default: the file's name.")


class VideoForm(forms.Form):
    video = forms.FileField(
        label="Video file",
        widget=forms.FileInput(attrs={"accept": "video/mp4,video/webm"}),
        help_text="MP4 (H.264) or WebM, up to 2 GB and 6 hours.",
    )
