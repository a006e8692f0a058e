"""Account pages: registration, email confirmation, sign-in and out, profile, passwords.

Each view parses a form, calls one service and renders. The rules live elsewhere: who may sign
in in ``forms.SignInForm`` and ``security``, every write in ``services``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from apps.core.accounts import permissions, roles, security, services
from apps.core.accounts.forms import UNVERIFIED_LOGIN, ProfileForm, RegisterForm, ResendVerificationForm, SignInForm

BACKEND = "apps.core.accounts.backends.RoleBackend"
TOO_MANY_REQUESTS = "Too many requests from your network. Please try again in an hour."
TEMPLATES = "core/account/"


def _safe_next(request: HttpRequest) -> str:
    """The ``next`` page asked for, if it is on this site; otherwise an empty string."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return target if ok else ""


def _over_ip_limit(request: HttpRequest, scope: str) -> bool:
    # Forms that send mail to an address the visitor types are limited per client address.
    ip = security.client_ip(request)
    return security.rate_limited(scope=scope, key=ip, limit=settings.REGISTRATION_RATE_LIMIT, window=3600)


# --- Registration and email confirmation -----------------------------------------------------


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password1", "password2")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the address has an account (the service mails its owner)."""
    if request.user.is_authenticated:
        return redirect("profile")
    form = RegisterForm(request.POST) if request.method == "POST" else RegisterForm()
    if form.is_bound and form.is_valid():
        if _over_ip_limit(request, "register"):
            form.add_error(None, TOO_MANY_REQUESTS)
            return render(request, TEMPLATES + "register_form.html", {"form": form}, status=429)
        data = form.cleaned_data
        services.user_register(email=data["email"], password=data["password1"], display_name=data["display_name"])
        return redirect("register-done")
    return render(request, TEMPLATES + "register_form.html", {"form": form})


@require_GET
def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, TEMPLATES + "register_done.html")


@require_GET
@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, newly_confirmed = services.user_verify_email(token=token)
    except ValidationError as error:
        context = {"errors": error.messages, "form": ResendVerificationForm()}
        return render(request, TEMPLATES + "verification_failed.html", context, status=400)
    if not newly_confirmed:
        # The link stays valid for days; it must not also work as a standing sign-in link.
        messages.info(request, "Your email address is already confirmed. Sign in to continue.")
        return redirect("login")
    login(request, user, backend=BACKEND)
    messages.success(request, "Your email address is confirmed. Welcome!")
    return redirect("dashboard")


@require_http_methods(["GET", "POST"])
@never_cache
def resend_verification(request: HttpRequest) -> HttpResponse:
    """Always the same answer, so the form does not tell which addresses have accounts."""
    form = ResendVerificationForm(request.POST) if request.method == "POST" else ResendVerificationForm()
    if form.is_bound and form.is_valid():
        if _over_ip_limit(request, "resend-verification"):
            form.add_error(None, TOO_MANY_REQUESTS)
            return render(request, TEMPLATES + "verification_resend.html", {"form": form}, status=429)
        services.verification_resend(email=form.cleaned_data["email"])  # a worker looks the account up
        return render(request, TEMPLATES + "verification_resend_done.html")
    return render(request, TEMPLATES + "verification_resend.html", {"form": form})


# --- Signing in and out ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@never_cache
@vary_on_headers("HX-Request")
def sign_in(request: HttpRequest) -> HttpResponse:
    """Email and password; htmx swaps the form with its errors, a plain POST gets the page."""
    next_url = _safe_next(request)
    if request.method == "GET" and request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = SignInForm(request.POST, request=request) if request.method == "POST" else SignInForm(request=request)
    if form.is_bound and form.is_valid() and form.user is not None:
        if form.user.email_verified:
            security.clear_failures(email=form.user.email, ip=security.client_ip(request))
            login(request, form.user, backend=BACKEND)
            target = next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
        services.user_send_verification(user=form.user)
        form.add_error(None, UNVERIFIED_LOGIN)
    template = TEMPLATES + ("_login_form.html" if request.htmx else "login_form.html")
    status = 429 if form.lockout is not None else 200
    return render(request, template, {"form": form, "next": next_url}, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect(settings.LOGOUT_REDIRECT_URL)


# --- Profile ------------------------------------------------------------------------------------


def _roles_held(user: Any) -> list[tuple[str, str]]:
    held = permissions.held_roles(user)
    return [(spec.label, spec.description) for spec in roles.all_roles() if spec.name in held]


@require_http_methods(["GET", "POST"])
@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES, has_avatar=bool(user.avatar))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.profile_update(
                    user=user,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    avatar=data["avatar"] or None,
                    remove_avatar=data.get("remove_avatar", False),
                )
            except ValidationError as error:
                form.add_error(None if hasattr(error, "error_dict") else "avatar", error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("profile")
    else:
        form = ProfileForm(initial={"display_name": user.display_name, "bio": user.bio}, has_avatar=bool(user.avatar))
    return render(request, TEMPLATES + "profile_form.html", {"form": form, "roles": _roles_held(user)})


# --- Passwords: Django's views, our templates, and tokens revoked after a change ------------


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = TEMPLATES + "password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():  # the new password and the revocation of older tokens, together
            response = super().form_valid(form)  # saves, and keeps this session signed in
            services.user_credentials_changed(user=form.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's form and page; the email is looked up and sent by a worker, not here."""

    template_name = TEMPLATES + "password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        if _over_ip_limit(self.request, "password-reset"):
            form.add_error(None, TOO_MANY_REQUESTS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # The same work for a known and an unknown address: one task queued, no query, so the
        # answer and its timing say nothing about which addresses have accounts. (Django's
        # form.save() would look the account up and send the mail inside the request.)
        services.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = TEMPLATES + "password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.user_credentials_changed(user=form.user)
        # Whoever reset the password owns the mailbox: earlier failures no longer lock them out.
        security.clear_failures(email=form.user.email)
        return response


password_change = PasswordChangeView.as_view()
password_change_done = auth_views.PasswordChangeDoneView.as_view(template_name=TEMPLATES + "password_change_done.html")
password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name=TEMPLATES + "password_reset_done.html")
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name=TEMPLATES + "password_reset_complete.html"
)
