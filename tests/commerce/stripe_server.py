"""A loopback HTTP server speaking the part of Stripe's API the Stripe provider uses, so its tests
drive the real stripe SDK over real HTTP and never the network.

It answers, with JSON shaped like Stripe's objects (https://docs.stripe.com/api, the SDK's
resource classes ``checkout.Session``, ``PaymentIntent``, ``Charge``, ``Refund``, ``Event``):

    POST /v1/checkout/sessions                    create (form-encoded, as the SDK sends it)
    GET  /v1/checkout/sessions/<id>               retrieve, ``expand[]=payment_intent``
    GET  /v1/checkout/sessions?payment_intent=    list
    POST /v1/checkout/sessions/<id>/expire
    POST /v1/payment_intents/<id>/capture
    POST /v1/refunds

It records every request (method, path, query, decoded form, Idempotency-Key), honours
idempotency as Stripe does (the same key replays the first answer with ``Idempotent-Replayed:
true``; the same key on another endpoint or with other parameters answers 400
``idempotency_error``), checks the bearer key, and can be told to fail the next requests with a
card decline (402), a server error (500) or a rate limit (429), with Stripe's error shape. Such
failures happen "before Stripe executes" and are not saved under the key, so a retry succeeds.

What the customer does on Stripe's hosted page is played by ``pay`` (creates the PaymentIntent
in the state the outcome gives) and ``expire``; ``event`` wraps an object's snapshot in an Event,
and ``sign`` signs a payload the way Stripe signs webhooks.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.utils import free_port

SECRET_KEY = "sk_test_loopback"
WEBHOOK_SECRET = "whsec_loopback"
API_VERSION = "2026-10-28.endive"

DECLINE = {
    "code": "card_declined",
    "decline_code": "insufficient_funds",
    "doc_url": "https://stripe.com/docs/error-codes/card-declined",
    "message": "Your card has insufficient funds.",
    "param": "",
    "type": "card_error",
}
FAILURES = {
    "card_declined": (402, DECLINE),
    "server_error": (500, {"type": "api_error", "message": "Something went wrong on Stripe's end."}),
    "rate_limit": (429, {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests."}),
}


@contextmanager
def stripe_configured(settings: Any) -> Iterator[StripeServer]:
    """A running server, with pytest-django's ``settings`` pointing the Stripe provider at it."""
    with StripeServer() as server:
        settings.STRIPE_SECRET_KEY = SECRET_KEY
        settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
        settings.STRIPE_API_BASE = server.url
        settings.SITE_URL = "https://shop.example"
        yield server


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe sends with ``payload``: ``t=<unix time>,v1=<hex
    HMAC-SHA256 of "<t>.<payload>" keyed with the endpoint's secret>``."""
    at = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


def decode_form(text: str) -> dict[str, Any]:
    """Stripe's form encoding back into nested data: ``a[b][0][c]=1`` -> ``{"a": {"b": [{"c": "1"}]}}``."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        path = [key.split("[", 1)[0], *re.findall(r"\[([^\]]*)\]", key)]
        node = root
        for part in path[:-1]:
            node = node.setdefault(part or str(len(node)), {})
        node[path[-1] or str(len(node))] = value
    return _listify(root)


def _listify(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    items = {k: _listify(v) for k, v in value.items()}
    if items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, Any]
    form: dict[str, Any]
    idempotency_key: str | None
    authorization: str | None


@dataclass
class StripeServer:
    """Start with ``with StripeServer() as server``; ``server.url`` is the SDK's api base."""

    port: int = field(default_factory=free_port)
    requests: list[Recorded] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_status: str = "succeeded"  # what a new refund's status is (set "pending" to test that path)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: deque[tuple[str, str]] = deque()
        self._idempotent: dict[str, tuple[str, dict[str, Any], int, dict[str, Any]]] = {}
        self._http: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> StripeServer:
        self._http = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._http.daemon_threads = True
        threading.Thread(target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._http is not None
        self._http.shutdown()
        self._http.server_close()

    # --- what tests ask of it -------------------------------------------------------------
    def fail_next(self, failure: str, *, times: int = 1, path: str = "") -> None:
        """Answer the next ``times`` requests (to paths containing ``path``) with ``failure``:
        "card_declined" (402), "server_error" (500) or "rate_limit" (429)."""
        assert failure in FAILURES
        self._failures.extend([(failure, path)] * times)

    def posts(self, path_part: str = "") -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and path_part in r.path]

    def pay(self, session_id: str, outcome: str = "succeeded", *, capture: str = "automatic") -> dict[str, Any]:
        """The customer on the hosted page: "succeeded", "declined" (the card refused; the session
        stays open for another try), "requires_action" (3-D Secure pending) or "canceled".
        ``capture="manual"`` leaves a successful payment at requires_capture."""
        with self._lock:
            session = self.sessions[session_id]
            intent = self._intent_for(session, capture)
            charge = self.charges[intent["latest_charge"]]
            if outcome == "succeeded":
                held = capture == "manual"
                intent["status"] = "requires_capture" if held else "succeeded"
                intent["amount_capturable"] = intent["amount"] if held else 0
                intent["amount_received"] = 0 if held else intent["amount"]
                intent["last_payment_error"] = None
                charge.update(status="succeeded", paid=True, captured=not held)
                charge["amount_captured"] = 0 if held else charge["amount"]
                session.update(status="complete", payment_status="unpaid" if held else "paid")
            elif outcome == "declined":
                intent["status"] = "requires_payment_method"
                intent["last_payment_error"] = {**DECLINE, "charge": charge["id"]}
                charge.update(status="failed", failure_code="card_declined", failure_message=DECLINE["message"])
            elif outcome == "requires_action":
                intent["status"] = "requires_action"
                intent["next_action"] = {"type": "use_stripe_sdk", "use_stripe_sdk": {}}
            elif outcome == "canceled":
                intent.update(status="canceled", canceled_at=int(time.time()), cancellation_reason="abandoned")
            else:
                raise ValueError(outcome)
            return intent

    def expire(self, session_id: str) -> dict[str, Any]:
        with self._lock:
            self._expire(self.sessions[session_id])
            return self.sessions[session_id]

    def event(self, kind: str, obj: dict[str, Any]) -> bytes:
        """A webhook body: Stripe's Event wrapping a snapshot of ``obj``."""
        event = {
            "id": _id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": int(time.time()),
            "data": {"object": json.loads(json.dumps(obj))},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        return json.dumps(event, indent=2).encode()  # Stripe sends its events pretty-printed

    # --- Stripe's objects -----------------------------------------------------------------
    def _intent_for(self, session: dict[str, Any], capture: str) -> dict[str, Any]:
        if session["payment_intent"]:
            return self.intents[session["payment_intent"]]
        intent_id, charge_id = _id("pi"), _id("ch")
        now = int(time.time())
        self.intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_capturable": 0,
            "amount_received": 0,
            "capture_method": "manual" if capture == "manual" else "automatic_async",
            "canceled_at": None,
            "cancellation_reason": None,
            "client_secret": f"{intent_id}_secret_{secrets.token_hex(8)}",
            "confirmation_method": "automatic",
            "created": now,
            "currency": session["currency"],
            "customer": None,
            "description": None,
            "last_payment_error": None,
            "latest_charge": charge_id,
            "livemode": False,
            "metadata": dict(session["_payment_intent_metadata"]),
            "next_action": None,
            "payment_method": _id("pm"),
            "payment_method_types": ["card"],
            "status": "requires_payment_method",
        }
        self.charges[charge_id] = {
            "id": charge_id,
            "object": "charge",
            "amount": session["amount_total"],
            "amount_captured": 0,
            "amount_refunded": 0,
            "captured": False,
            "created": now,
            "currency": session["currency"],
            "failure_code": None,
            "failure_message": None,
            "livemode": False,
            "metadata": {},
            "paid": False,
            "payment_intent": intent_id,
            "refunded": False,
            "status": "pending",
        }
        session["payment_intent"] = intent_id
        return self.intents[intent_id]

    def _expire(self, session: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if session["status"] != "open":
            message = (
                'Only Checkout Sessions with a status in ["open"] can be expired. '
                f'This Checkout Session has a status of "{session["status"]}".'
            )
            return _error(400, message)
        session.update(status="expired", url=None)
        return 200, _public(session)

    def _create_session(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        lines = form.get("line_items") or []
        if form.get("mode") != "payment" or not lines:
            return _error(400, "Missing required param: line_items.", param="line_items")
        currency = lines[0]["price_data"]["currency"]
        total = sum(int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1)) for line in lines)
        session_id = _id("cs")
        now = int(time.time())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": form.get("client_reference_id"),
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_email": None,
            "expires_at": int(form.get("expires_at") or now + 24 * 3600),
            "livemode": False,
            "metadata": form.get("metadata") or {},
            "mode": "payment",
            "payment_intent": None,
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form.get("success_url"),
            "ui_mode": "hosted",
            "url": f"https://checkout.stripe.com/c/pay/{session_id}#loopback",
            "_payment_intent_metadata": (form.get("payment_intent_data") or {}).get("metadata") or {},
            "_line_items": lines,
        }
        self.sessions[session_id] = session
        return 200, _public(session)

    def _retrieve_session(self, session_id: str, query: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        session = self.sessions.get(session_id)
        if session is None:
            return _error(404, f"No such checkout.session: '{session_id}'", code="resource_missing", param="session")
        answer = _public(session)
        if "payment_intent" in (query.get("expand") or []) and session["payment_intent"]:
            answer["payment_intent"] = dict(self.intents[session["payment_intent"]])
        return 200, answer

    def _list_sessions(self, query: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        found = [_public(s) for s in self.sessions.values() if s["payment_intent"] == query.get("payment_intent")]
        return 200, {
            "object": "list",
            "data": found[: int(query.get("limit", 10))],
            "has_more": False,
            "url": "/v1/checkout/sessions",
        }

    def _capture(self, intent_id: str, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(intent_id)
        if intent is None:
            return _error(404, f"No such payment_intent: '{intent_id}'", code="resource_missing", param="intent")
        if intent["status"] != "requires_capture":
            return _error(
                400,
                f"This PaymentIntent could not be captured because it has a status of {intent['status']}. "
                "Only a PaymentIntent with one of the following statuses may be captured: requires_capture.",
                code="payment_intent_unexpected_state",
            )
        amount = int(form.get("amount_to_capture", intent["amount_capturable"]))
        if amount > intent["amount_capturable"]:
            return _error(400, "The amount to capture is more than the amount capturable.", param="amount_to_capture")
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self.charges[intent["latest_charge"]].update(captured=True, amount_captured=amount)
        for session in self.sessions.values():
            if session["payment_intent"] == intent_id:
                session["payment_status"] = "paid"
        return 200, dict(intent)

    def _create_refund(self, form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(form.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return _error(
                400, "This PaymentIntent does not have a successful charge to refund.", param="payment_intent"
            )
        charge = self.charges[intent["latest_charge"]]
        amount = int(form.get("amount", charge["amount_captured"] - charge["amount_refunded"]))
        left = charge["amount_captured"] - charge["amount_refunded"]
        if amount <= 0 or amount > left:
            return _error(
                400, f"Refund amount ({amount}) is greater than unrefunded amount on charge ({left})", param="amount"
            )
        refund_id = _id("re")
        refund = {
            "id": refund_id,
            "object": "refund",
            "amount": amount,
            "balance_transaction": _id("txn"),
            "charge": charge["id"],
            "created": int(time.time()),
            "currency": intent["currency"],
            "failure_reason": None,
            "metadata": form.get("metadata") or {},
            "payment_intent": intent["id"],
            "reason": form.get("reason"),
            "status": self.refund_status,
        }
        self.refunds[refund_id] = refund
        if self.refund_status == "succeeded":
            charge["amount_refunded"] += amount
            charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        return 200, dict(refund)

    # --- dispatch ----------------------------------------------------------------------------
    def answer(
        self, method: str, path: str, query: dict[str, Any], form: dict[str, Any], key: str | None, auth: str | None
    ) -> tuple[int, dict[str, Any], bool]:
        """(status, JSON body, replayed) for one request; runs under the lock."""
        with self._lock:
            self.requests.append(Recorded(method, path, query, form, key, auth))
            if auth != f"Bearer {SECRET_KEY}":
                status, body = _error(401, "Invalid API Key provided.", kind="invalid_request_error")
                return status, body, False
            for i, (failure, part) in enumerate(self._failures):
                if part in path:
                    del self._failures[i]
                    status, error = FAILURES[failure]
                    return status, {"error": dict(error)}, False
            if method == "POST" and key:
                saved = self._idempotent.get(key)
                if saved is not None:
                    if saved[:2] != (path, form):
                        message = (
                            "Keys for idempotent requests can only be used with the same parameters they were "
                            f"first used with. Try using a key other than '{key}' if you meant to execute a "
                            "different request."
                        )
                        return 400, {"error": {"type": "idempotency_error", "message": message}}, False
                    return saved[2], saved[3], True
            status, body = self._route(method, path, query, form)
            if method == "POST" and key:
                self._idempotent[key] = (path, form, status, body)
            return status, body, False

    def _route(self, method: str, path: str, query: dict[str, Any], form: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "POST" and path == "/v1/checkout/sessions":
            return self._create_session(form)
        if method == "GET" and path == "/v1/checkout/sessions":
            return self._list_sessions(query)
        if (match := re.fullmatch(r"/v1/checkout/sessions/([\w-]+)", path)) and method == "GET":
            return self._retrieve_session(match[1], query)
        if (match := re.fullmatch(r"/v1/checkout/sessions/([\w-]+)/expire", path)) and method == "POST":
            session = self.sessions.get(match[1])
            if session is None:
                return _error(404, f"No such checkout.session: '{match[1]}'", code="resource_missing")
            return self._expire(session)
        if (match := re.fullmatch(r"/v1/payment_intents/([\w-]+)/capture", path)) and method == "POST":
            return self._capture(match[1], form)
        if method == "POST" and path == "/v1/refunds":
            return self._create_refund(form)
        return _error(404, f"Unrecognized request URL ({method}: {path}).", kind="invalid_request_error")


def _public(session: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in session.items() if not k.startswith("_")}


def _error(
    status: int, message: str, *, kind: str = "invalid_request_error", code: str = "", param: str = ""
) -> tuple[int, dict[str, Any]]:
    error: dict[str, Any] = {"type": kind, "message": message}
    if code:
        error["code"] = code
    if param:
        error["param"] = param
    return status, {"error": error}


def _handler(server: StripeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            form = decode_form(self.rfile.read(length).decode()) if length else {}
            status, body, replayed = server.answer(
                self.command,
                parts.path,
                decode_form(parts.query),
                form,
                self.headers.get("Idempotency-Key"),
                self.headers.get("Authorization"),
            )
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Request-Id", _id("req"))
            self.send_header("Stripe-Version", API_VERSION)
            if replayed:
                self.send_header("Idempotent-Replayed", "true")
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass  # quiet: the tests read server.requests instead

    return Handler
