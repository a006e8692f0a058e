"""Forms of the account pages. They parse and check input; every write goes through a service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from apps.core.accounts import security
from apps.core.models import User, normalize_email
from apps.core.platform.uploads import IMAGE_FORMATS, validate_image

INVALID_LOGIN = "Enter a correct email and password."
UNVERIFIED_LOGIN = "Confirm your email address first: we have sent you a new link."


def _email_field() -> forms.EmailField:
    return forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class RegisterForm(forms.Form):
    email = _email_field()
    display_name = forms.CharField(
        label="Display name",
        max_length=150,
        help_text="Shown next to what you post.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        return normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError("The two passwords differ.", code="password_mismatch"))
        elif password1:
            # An unsaved user, so the similarity check compares against what was typed.
            candidate = User(email=cleaned.get("email", ""), display_name=cleaned.get("display_name", ""))
            try:
                password_validation.validate_password(password1, user=candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class SignInForm(forms.Form):
    """Email and password, checked against the lockout before the password is looked at.

    Like Django's AuthenticationForm, ``clean()`` authenticates; afterwards ``user`` is the
    account (which may still be unverified) and ``lockout`` is set if sign-in was refused for
    too many failures.
    """

    email = _email_field()
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None
        self.lockout: security.Lockout | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or not password:
            return cleaned
        try:
            self.user = security.authenticate_with_lockout(self.request, email=email, password=password)
        except security.SignInRefused as refused:
            self.lockout = refused.lockout
            if refused.lockout is not None:
                raise ValidationError(refused.lockout.message, code="locked") from None
            raise ValidationError(INVALID_LOGIN, code="invalid_login") from None
        return cleaned


class ResendVerificationForm(forms.Form):
    email = _email_field()


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "nickname"})
    )
    bio = forms.CharField(label="About you", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 5}))
    # A plain file field: uploads.validate_image checks the content, so Django's ImageField would
    # only decode the file a second time.
    avatar = forms.FileField(
        label="Avatar",
        required=False,
        help_text="A PNG, JPEG, GIF or WebP image of at most 5 MB.",
        widget=forms.FileInput(attrs={"accept": ",".join(f"image/{f.lower()}" for f in IMAGE_FORMATS)}),
    )
    remove_avatar = forms.BooleanField(label="Remove my avatar", label_suffix="", required=False)

    def __init__(self, *args: Any, has_avatar: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_avatar:
            del self.fields["remove_avatar"]

    def clean_avatar(self) -> Any:
        avatar = self.cleaned_data.get("avatar")
        if avatar:
            validate_image(avatar)  # an inline error on the field; the service checks again
        return avatar
