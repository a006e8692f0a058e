"""Idempotent unsafe requests: Stripe's contract, for the API and for the site's forms alike.

A client names an attempt with an ``Idempotency-Key`` header (any POST, PUT, PATCH or DELETE;
the API's way) or a form carries a fresh key in a hidden field (``{% idempotency_field %}``,
rendered into every POST form, so a double submit or a browser's or htmx's retry of one
rendered form is one attempt). For the same key and the same caller:

- the first request runs, and its answer (status, body and the headers that matter) is kept
  for ``IDEMPOTENCY_KEY_HOURS`` (24 h);
- a later request that is the same request (method, path with its query string, body) gets
  that answer again, marked ``Idempotent-Replayed: true``; one that differs answers 422;
- while the first still runs, a second waits up to ``IDEMPOTENCY_WAIT_SECONDS`` for its answer
  and replays it, and answers 409 only if it is still running then;
- a 5xx is not kept, nor a 429 (throttled, rate limited: "come back later"): the attempt's
  writes are rolled back and a retry runs again.

Exactly once, even when a process dies mid-request:

1. The claim (the row, unique on ``(scope, key)``) is inserted and committed on its own, so every
   other request with the key sees it at once.
2. The view runs inside one transaction that first locks the claim (``SELECT ... FOR UPDATE`` on
   PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` holds the database's write lock) and ends by writing
   the answer onto it: the view's writes and the kept answer commit together or not at all.
   ``on_commit`` callbacks (broadcasts, tasks) run after that commit, so nothing is announced for
   an attempt that rolled back, and an announced write always has its answer kept.
3. A killed attempt's transaction is rolled back by the database: its writes are gone and the
   claim has no answer. Once the claim's lease (``IDEMPOTENCY_LEASE_SECONDS``) has run out, a
   retry takes the claim over and runs the view again. The lease only decides when to try: the
   lock is what makes it safe. A live attempt holds its lock for as long as it runs, so a retry
   that takes over a slow (not dead) attempt's expired lease either skips the locked row
   (PostgreSQL, ``SKIP LOCKED``: it keeps waiting) or waits for the write lock (SQLite), and then
   finds the answer and replays it.

Whose key: the signed-in user (for the API, whoever DRF's authenticators of the view say, so a
bearer token's user); an anonymous caller with a session by a digest of the session key; one
without (the token endpoint, a sign-in form) by the client's address (``accounts.security.
client_ip``, which trusts only our own proxies). Keys are random and unguessable, so the
address only keeps one client's key from answering another's; clients behind one address cannot
collide unless they choose the same key.

What is not kept: answers that sign someone in or out (the session key changed) or set cookies
of the view's own, since cookies are credentials to neither store nor hand out again (the claim
is released: signing in twice is harmless), and streaming answers.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import quote

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django_htmx.http import reswap, retarget

from apps.core.models import IdempotencyKey
from apps.core.platform import unavailable

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
FIELD = "_idempotency"  # the hidden form field's name
REPLAYED = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
POLL_SECONDS = 0.05
# Headers a replay carries: what a client acts on. Set-Cookie never (see the module's docstring);
# the security headers are added again by the middleware on the way out.
KEPT_HEADERS = frozenset(
    {
        "content-type",
        "content-language",
        "content-disposition",
        "location",
        "retry-after",
        "allow",
        "www-authenticate",
        "link",
        "etag",
        "last-modified",
        "cache-control",
        "expires",
        "vary",
    }
)
KEPT_PREFIXES = ("hx-",)  # htmx's response headers (retarget, reswap, redirect, trigger ...)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def idempotency_exempt(view: View) -> View:
    """Mark a view that a form's key must not bind: one that writes nothing (a live preview)
    or is posted again and again from one rendered form by design."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponseBase:
        return view(*args, **kwargs)

    wrapper.idempotency_exempt = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def new_key() -> str:
    return secrets.token_urlsafe(24)


def form_field_html(request: HttpRequest | None) -> str:
    """The hidden field with a fresh key; nothing on a page kept in the page cache, whose one
    rendering every visitor shares."""
    if request is None or getattr(request, "page_cache", None) is not None:
        return ""
    return f'<input type="hidden" name="{FIELD}" value="{new_key()}">'


def prune(*, now: Any = None) -> int:
    """Delete keys older than IDEMPOTENCY_KEY_HOURS; the number deleted (a repeat finds none)."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- The middleware ---------------------------------------------------------------------------


class IdempotencyMiddleware:
    """Last in MIDDLEWARE: its ``process_view`` runs after CSRF's (a forged request is refused
    before any key is claimed) and with the session, the user and ``request.htmx`` in place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponseBase], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponseBase | None:
        if request.method not in UNSAFE_METHODS or getattr(view, "idempotency_exempt", False):
            return None
        if iscoroutinefunction(view):  # none today; its claim and answer would need async ORM calls
            return None
        api = _is_api(request)
        key = _key_of(request, api=api)
        if key is None:
            return None
        if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            return _refusal(
                request,
                400,
                code="invalid_idempotency_key",
                message=f"An {HEADER} is 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
                api=api,
            )
        scope = _scope(request, view, api=api)
        if scope is None:  # credentials the view itself refuses: nothing to claim
            return None
        attempt = Attempt(request, scope=scope, key=key, fingerprint=fingerprint(request, api=api), api=api)
        return attempt.respond(lambda: _run_view(request, view, args, kwargs))


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _key_of(request: HttpRequest, *, api: bool) -> str | None:
    header = request.headers.get(HEADER)
    if header is not None:
        return header.strip()
    if api or request.content_type not in FORM_TYPES:
        return None  # the API's bodies are DRF's to parse, with its limits
    field = request.POST.get(FIELD)
    return field.strip() if field is not None else None


def _scope(request: HttpRequest, view: Callable[..., Any], *, api: bool) -> str | None:
    user = _api_user(request, view) if api else getattr(request, "user", None)
    if user is False:
        return None
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        return "session:" + hashlib.sha256(session.session_key.encode()).hexdigest()[:40]
    from apps.core.accounts.security import client_ip

    return f"ip:{client_ip(request)}"[:100]


def _api_user(request: HttpRequest, view: Callable[..., Any]) -> Any:
    """The user DRF will see for this view (its own authenticators), None for an anonymous
    caller, False when the credentials sent are refused (the view answers that itself)."""
    from rest_framework.authentication import SessionAuthentication
    from rest_framework.exceptions import APIException
    from rest_framework.request import Request
    from rest_framework.settings import api_settings

    forced = getattr(request, "_force_auth_user", None)  # DRF's test client
    if forced is not None:
        return forced
    view_class = getattr(view, "cls", None)
    if view_class is None:
        return getattr(request, "user", None)
    classes = getattr(view_class, "authentication_classes", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    drf_request = Request(request)
    for authentication in classes:
        try:
            if issubclass(authentication, SessionAuthentication):
                # As DRF's session authentication, on Django's request: parsing a body here
                # (DRF's CSRF check reads its POST) would bypass the view's parsers and limits.
                user = getattr(request, "user", None)
                if user is None or not user.is_active:
                    continue
                authentication().enforce_csrf(request)
                return user
            found = authentication().authenticate(drf_request)
        except APIException:
            return False
        if found is not None:
            return found[0]
    return None


def fingerprint(request: HttpRequest, *, api: bool) -> str:
    """What makes two requests the same: method, path with its query string (a POST to another
    ``?next=`` is another request), and the body. A form's body is taken as its fields (less the
    CSRF token and the key) and files, since Django has already parsed it; any other body as its
    bytes and content type."""
    digest = hashlib.sha256()
    digest.update(f"{request.method}\n{request.get_full_path()}\n".encode())
    if not api and request.content_type in FORM_TYPES:
        for name, values in sorted(request.POST.lists()):
            if name not in (FIELD, "csrfmiddlewaretoken"):
                digest.update(repr((name, values)).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(repr((name, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(f"{request.content_type}\n".encode())
        digest.update(_body_digest(request))
    return digest.hexdigest()


def _body_digest(request: HttpRequest) -> bytes:
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None or length <= limit:
        return hashlib.sha256(request.body).digest()
    # A body past Django's in-memory limit (an API upload with its image): hashed as it is copied
    # to a spooled file that the parser then reads in its place, as ``request.body`` would.
    import tempfile

    digest = hashlib.sha256()
    spool = tempfile.SpooledTemporaryFile(max_size=limit)  # noqa: SIM115 - the request owns it now
    while chunk := request.read(64 * 1024):
        digest.update(chunk)
        spool.write(chunk)
    spool.seek(0)
    request._stream = spool  # type: ignore[attr-defined]
    request._read_started = False  # type: ignore[attr-defined]
    return digest.digest()


def _run_view(
    request: HttpRequest, view: Callable[..., HttpResponseBase], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> HttpResponseBase:
    """The view's answer as Django would send it: rendered, and an exception turned into its
    error page (a 404, a 403 ... or the 500), so a 4xx raised is kept like a 4xx returned."""
    try:
        response = view(request, *args, **kwargs)
        if response is None:
            raise ValueError(f"The view {getattr(view, '__name__', view)} returned None.")
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
    except Exception as exc:
        response = unavailable.answer(request, exc) or response_for_exception(request, exc)
    return response


# --- One attempt ------------------------------------------------------------------------------


class _Undo(Exception):  # noqa: N818 - not an error: rolls the attempt back, carrying its answer
    def __init__(self, response: HttpResponseBase) -> None:
        self.response = response


class Attempt:
    """One request with a key: claim it, run it (or take over a dead attempt's claim), or wait for
    the attempt that holds it and replay its answer."""

    def __init__(self, request: HttpRequest, *, scope: str, key: str, fingerprint: str, api: bool) -> None:
        self.request, self.scope, self.key, self.fingerprint, self.api = request, scope, key, fingerprint, api
        self.token = uuid.uuid4().hex

    def respond(self, run: Callable[[], HttpResponseBase]) -> HttpResponseBase:
        deadline = time.monotonic() + settings.IDEMPOTENCY_WAIT_SECONDS
        while True:
            row = self._find_or_claim()
            if row is not None:
                if row.fingerprint != self.fingerprint:
                    return self._reused()
                if row.status_code is not None:
                    return replay(row)
                if row.lease_token == self.token or row.lease_until <= timezone.now():
                    answer = self._run(row.pk, run, owner=row.lease_token == self.token)
                    if answer is not None:
                        return answer
            if time.monotonic() >= deadline:
                return self._in_progress()
            _pause()

    def _find_or_claim(self) -> IdempotencyKey | None:
        found = IdempotencyKey.objects.filter(scope=self.scope, key=self.key).first()
        now = timezone.now()
        if found is not None and found.created_at > now - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS):
            return found
        if found is not None:  # expired, not yet pruned: the key is free again
            IdempotencyKey.objects.filter(pk=found.pk, created_at=found.created_at).delete()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    scope=self.scope,
                    key=self.key,
                    fingerprint=self.fingerprint,
                    lease_token=self.token,
                    lease_until=now + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS),
                )
        except IntegrityError:  # another request claimed it first
            return IdempotencyKey.objects.filter(scope=self.scope, key=self.key).first()

    def _run(self, pk: int, run: Callable[[], HttpResponseBase], *, owner: bool) -> HttpResponseBase | None:
        """Run the view under the claim's lock and keep its answer in the same transaction; None
        when the claim turned out to be another live attempt's (go on waiting)."""
        done: HttpResponseBase | None = None
        try:
            with transaction.atomic():
                # The claimant blocks on a taker still holding the row; a taker skips a row whose
                # attempt is alive (PostgreSQL; SQLite's write lock already serialises them).
                rows = IdempotencyKey.objects.select_for_update(skip_locked=not owner)
                row = rows.filter(pk=pk).first()
                if row is None:
                    return None
                if row.status_code is not None:
                    return replay(row)
                if row.lease_token != self.token and row.lease_until > timezone.now():
                    return None  # taken over meanwhile by an attempt that is alive
                row.lease_token = self.token
                row.lease_until = timezone.now() + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
                session_key = _session_key(self.request)
                response = run()
                if response.status_code >= 500 or response.status_code == 429:
                    raise _Undo(response)  # failed, or asked to come back later: a retry runs
                if _keepable(self.request, response, session_key):
                    _keep(row, response)
                else:
                    row.delete()  # its writes stand, unrecorded: a retry runs again
                done = response
        except _Undo as undo:
            _release(pk)
            return undo.response
        except Exception:
            if done is None:
                _release(pk)
                raise
            # Committed, answer kept: an on_commit callback failed after it. The client is told
            # what happened (its retry would replay the same), and the failure is logged.
            logger.exception("after-commit work failed for %s %s", self.request.method, self.request.path)
        return done

    def _reused(self) -> HttpResponse:
        return _refusal(
            self.request,
            422,
            code="idempotency_key_reused",
            message=f"This {HEADER} was already used for a different request; use a new key for a new request.",
            api=self.api,
        )

    def _in_progress(self) -> HttpResponse:
        response = _refusal(
            self.request,
            409,
            code="idempotency_in_progress",
            message=f"A request with this {HEADER} is still being processed; retry in a moment.",
            api=self.api,
        )
        response["Retry-After"] = "1"
        return response


def _release(pk: int) -> None:
    """Free the key of an attempt that rolled back, so a retry runs again. Only an unanswered
    claim: one that another attempt took over and answered meanwhile (it waited for our lock)
    keeps its answer."""
    IdempotencyKey.objects.filter(pk=pk, status_code__isnull=True).delete()


def _pause() -> None:
    # Between looks the connection goes back to the pool: twenty waiters must not hold ten
    # connections while the one attempt they wait for needs the database.
    if not connection.in_atomic_block:
        connection.close()
    time.sleep(POLL_SECONDS)


def _session_key(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    return session.session_key if session is not None else None


def _keepable(request: HttpRequest, response: HttpResponseBase, session_key: str | None) -> bool:
    return not response.streaming and not response.cookies and _session_key(request) == session_key


def _keep(row: IdempotencyKey, response: HttpResponseBase) -> None:
    row.status_code = response.status_code
    row.headers = [
        [name, value]
        for name, value in response.items()
        if name.lower() in KEPT_HEADERS or name.lower().startswith(KEPT_PREFIXES)
    ]
    row.body = response.content  # type: ignore[attr-defined]
    row.completed_at = timezone.now()
    row.save(update_fields=["status_code", "headers", "body", "completed_at", "lease_token", "lease_until"])


def replay(row: IdempotencyKey) -> HttpResponse:
    """The kept answer again, byte for byte, marked as a replay."""
    response = HttpResponse(bytes(row.body), status=row.status_code)
    for name, value in row.headers:
        response[name] = value
    response[REPLAYED] = "true"
    return response


def _refusal(request: HttpRequest, status: int, *, code: str, message: str, api: bool) -> HttpResponse:
    """The API's JSON error; for a form, the site's error page, and for htmx a toast in the
    messages region (base.html swaps a 422 in place of the form, which must stay)."""
    if api:
        from apps.core.api.errors import error_body

        return JsonResponse(error_body(status, code=code, message=message), status=status)
    title, words = _FORM_WORDS[status]
    if getattr(request, "htmx", False):
        toast = render(request, "components/toast.html", {"text": f"{title}: {words}", "tone": "error"}, status=status)
        response = reswap(retarget(toast, "#messages"), "beforeend")
    else:
        response = render(request, "error.html", {"code": status, "title": title, "message": words}, status=status)
    # A 400 or 409 to htmx is not swapped: site.js shows this in the messages region instead.
    response["X-Error-Message"] = quote(f"{title}: {words}")
    return response


_FORM_WORDS = {
    400: ("This form could not be read", "its key is not one this site made. Reload the page and try again."),
    409: ("Still being sent", "the first submission of this form is still being handled. Wait a moment and reload."),
    422: ("This form was already sent", "with other content. Reload the page to get a fresh form, then send it again."),
}
