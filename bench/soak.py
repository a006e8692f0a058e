"""`make soak` (`python -m bench.soak`): mixed traffic at a steady, modest rate against ONE
production-mode process for SOAK_MINUTES (30), to show what only time shows: errors that come
and go, sockets the server drops, latency that creeps up, memory that grows.

Uses `make bench`'s environment, seeding and server (bench/run.py), plus soak accounts made
here, ONE Celery worker beside the server (as production runs one: the outbox and the
notifications drain instead of piling up), and from this process: anonymous pages, signed-in
pages (session cookies from a real sign-in), the API (JWT, refreshed as a client does), comment
posts and replies (HTMX, as the page posts them) and websockets held open 10-60 s each (the
notification socket and live comment threads), each closed by this client. Writes its own section
of bench/RESULTS.md (the rest is `make bench`'s) and var/bench/soak-<time>.json. Exits non-zero
when acceptance fails. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.cookiejar
import json
import math
import os
import platform
import random
import re
import secrets
import shlex
import subprocess
import sys
import threading
import time
from base64 import urlsafe_b64decode
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from bench import run
from bench.run import ROOT, VAR

SECTION_START = "<!-- soak:start (written by make soak: bench/soak.py) -->"
SECTION_END = "<!-- soak:end -->"
ACCOUNT_DOMAIN = "soak.bench.invalid"
USER_AGENT = "platform-soak/1"
HTTP_TIMEOUT = 10.0  # seconds: a request slower than this is a timeout, counted as an error
SOCKET_HOLD = (10.0, 60.0)  # each socket is held this long (uniform), then closed by the client
P99_LIMIT = 2.0  # acceptance: every bucket's p99 within this multiple of the first bucket's
RSS_LIMIT = 0.05  # acceptance: RSS growth after warm-up below this fraction


def env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "")
    return float(raw) if raw else default


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=env_number("SOAK_MINUTES", 30))
    parser.add_argument(
        "--bucket-seconds",
        type=float,
        default=env_number("SOAK_BUCKET_SECONDS", 0) or None,
        help="latency is reported per bucket (300 s, or a sixth of a run shorter than 30 minutes)",
    )
    parser.add_argument(
        "--warmup-seconds",
        type=float,
        default=env_number("SOAK_WARMUP_SECONDS", 0) or None,
        help="RSS growth is measured from here (one bucket)",
    )
    parser.add_argument("--rate", type=float, default=env_number("SOAK_RATE", 15), help="HTTP requests per second")
    parser.add_argument(
        "--comment-seconds",
        type=float,
        default=env_number("SOAK_COMMENT_SECONDS", 6),
        help="one comment post every this many seconds",
    )
    parser.add_argument("--sockets", type=int, default=int(env_number("SOAK_SOCKETS", 8)), help="held open at once")
    parser.add_argument("--users", type=int, default=int(env_number("SOAK_USERS", 20)), help="signed-in accounts")
    parser.add_argument("--no-worker", action="store_true", help="do not run a Celery worker beside the server")
    parser.add_argument("--no-markdown", action="store_true", help="leave bench/RESULTS.md alone")
    parser.add_argument("--prepare", metavar="PASSWORD", help=argparse.SUPPRESS)  # the seeding subprocess
    args = parser.parse_args(argv)
    seconds = args.minutes * 60
    if args.bucket_seconds is None:
        args.bucket_seconds = 300.0 if seconds >= 1800 else max(10.0, seconds / 6)
    if args.warmup_seconds is None:
        args.warmup_seconds = args.bucket_seconds
    return args


# --- Accounts and data (run in a subprocess with the bench's environment) -----------------------


def prepare(users: int, password: str) -> dict[str, Any]:
    """Soak accounts (verified, each with one approved comment so later ones publish at once and
    reach the thread's sockets), the live bench posts to read and comment on, the worker's queues."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from apps.blog.comments import POST_KIND
    from apps.blog.demo import BLOG_ADMIN_EMAIL
    from apps.blog.models import Post
    from apps.blog.selectors import NAMESPACE
    from apps.core.accounts.services import role_grant
    from apps.core.comments import services as comments
    from apps.core.comments.models import Comment
    from apps.core.models import User
    from apps.core.platform import pagecache

    posts = list(Post.objects.filter(slug__startswith="bench-post-").order_by("slug"))  # published by bench_seed
    if not posts:
        sys.exit("no live bench posts: bench_seed did not run")
    moderator = User.objects.get(email=BLOG_ADMIN_EMAIL)
    # Every run starts from the same threads: the comments of earlier runs go (all but each
    # account's first), and the pages that showed them.
    soak_comments = Comment.objects.filter(author__email__endswith="@" + ACCOUNT_DOMAIN)
    firsts = soak_comments.filter(status=Comment.Status.APPROVED, parent=None).order_by("author", "pk")
    keep = {author: pk for author, pk in reversed(firsts.values_list("author", "pk"))}
    soak_comments.exclude(pk__in=keep.values()).delete()
    pagecache.invalidate(NAMESPACE)
    accounts = []
    for number in range(users):
        email = f"soak-{number:02}@{ACCOUNT_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, password, display_name=f"Soak reader {number:02}", email_verified_at=timezone.now()
            )
        else:  # a fresh password each run: none is written down anywhere
            user.set_password(password)
            user.save(update_fields=["password"])
        if number == 0:  # reads the activity log (documents), as an operator does
            role_grant(actor=None, user=user, role="admin")
        first = Comment.objects.filter(author=user, status=Comment.Status.APPROVED, parent=None).first()
        if first is None:
            post = posts[number % len(posts)]
            first = comments.comment_create(author=user, target=post, body=f"First words from soak reader {number}.")
            if first.status != Comment.Status.APPROVED:
                first = comments.comment_approve(comment=first, moderator=moderator)
        accounts.append({"email": email, "comment": first.pk, "admin": number == 0})
    return {
        "kind": POST_KIND,
        "posts": [{"id": post.pk, "slug": post.slug} for post in posts],
        "accounts": accounts,
        "queues": list(settings.CELERY_WORKER_QUEUES),
    }


def run_prepare(env: dict[str, str], users: int, password: str, commands: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.soak", "--users", str(users), "--prepare", password]
    commands.append(f"python -m bench.soak --users {users} --prepare <password>  # soak accounts, generated password")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit("preparing the soak accounts failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def worker(env: dict[str, str], prefix: list[str], queues: list[str], commands: list[str]) -> Iterator[None]:
    """ONE Celery worker, as bench/jobs.py runs it, for the length of the soak."""
    args = ["-m", "celery", "-A", "config", "worker", "-P", "solo", "-c", "1", "-l", "WARNING"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", ",".join(queues)]
    commands.append(shlex.join([*prefix, "python", *args]))
    with open(VAR / "soak-worker.log", "wb") as log:
        process = subprocess.Popen([*prefix, sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- Memory -------------------------------------------------------------------------------------


def rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (its parent links in /proc: no kernel option needed)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            child = int(stat.parent.name)
            parents.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(child)
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def memory(pid: int) -> dict[str, int]:
    """The server's RSS and its children's (the embedded document server), in KiB."""
    return {"server_kib": rss_kib(pid), "children_kib": sum(rss_kib(child) for child in descendants(pid))}


# --- Clients ------------------------------------------------------------------------------------


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """Each request carries exactly the cookies its kind says: an anonymous visitor never turns
    into a cookie-carrying one (which would bypass the page cache)."""

    def set_ok(self, cookie: http.cookiejar.Cookie, request: Any) -> bool:
        return False


_local = threading.local()


def session() -> Any:
    import requests

    if not hasattr(_local, "session"):
        _local.session = requests.Session()
        _local.session.cookies.set_policy(NoCookies())
        _local.session.headers["User-Agent"] = USER_AGENT
    return _local.session


@dataclass
class Account:
    email: str
    comment: int  # its approved first comment: others reply to it (a notification for this account)
    admin: bool = False
    cookie: str = ""
    csrf: str = ""
    dashboard: str = ""  # where /dashboard/ sends this account (its role's dashboard)
    access: str = ""
    refresh: str = ""
    expires: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def sign_in(base: str, account: Account, password: str) -> None:
    """Sign in through the form as a browser does; keep the session and CSRF cookies."""
    import requests

    browser = requests.Session()
    browser.headers["User-Agent"] = USER_AGENT
    form = browser.get(base + "/accounts/login/", timeout=HTTP_TIMEOUT)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if form.status_code != 200 or token is None:
        sys.exit(f"the sign-in form answered {form.status_code} without a CSRF token")
    done = browser.post(
        base + "/accounts/login/",
        data={"email": account.email, "password": password, "csrfmiddlewaretoken": token.group(1)},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )
    if done.status_code != 302:
        sys.exit(f"signing in {account.email} answered {done.status_code}, not 302")
    cookies = browser.cookies.get_dict()
    account.cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    account.csrf = cookies.get("csrftoken", "")
    home = browser.get(base + "/dashboard/", allow_redirects=False, timeout=HTTP_TIMEOUT)
    if home.status_code != 302:
        sys.exit(f"/dashboard/ answered {home.status_code} to {account.email}, not 302 to their dashboard")
    account.dashboard = home.headers["Location"]


def jwt_expiry(token: str) -> float:
    payload = token.split(".")[1]
    return float(json.loads(urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["exp"])


def obtain_tokens(base: str, account: Account, password: str) -> None:
    answer = session().post(
        base + "/api/v1/auth/token/", json={"email": account.email, "password": password}, timeout=HTTP_TIMEOUT
    )
    if answer.status_code != 200:
        sys.exit(f"a token for {account.email} answered {answer.status_code}")
    tokens = answer.json()
    account.access, account.refresh, account.expires = tokens["access"], tokens["refresh"], jwt_expiry(tokens["access"])


@dataclass
class Sample:
    at: float  # seconds since the load began
    kind: str
    ms: float
    error: str | None  # None: the expected status came back; else what came (with the address)


class Soak:
    """The load: open-loop HTTP at ``rate`` per second, a comment every ``comment_seconds``, and
    ``sockets`` websockets open at any moment, all for ``seconds``."""

    def __init__(self, base: str, pid: int, seed: dict[str, Any], accounts: list[Account], args: argparse.Namespace):
        self.base = base
        self.ws_base = "ws" + base.removeprefix("http")
        self.pid = pid
        self.kind = seed["kind"]
        self.posts = seed["posts"]
        self.urls = seed["urls"]
        self.accounts = accounts
        self.args = args
        self.seconds = args.minutes * 60
        self.samples: list[Sample] = []
        self.sockets: list[dict[str, Any]] = []
        self.memory: list[dict[str, Any]] = []
        self.late = 0  # requests the client could not start on time (its own lag, not the server's)
        self.comment_number = 0
        self.random = random.Random(12)  # the same mix every run
        self.pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="soak-http")
        self.started = 0.0

    # -- HTTP ---------------------------------------------------------------------------------

    def post_path(self) -> str:
        return f"/blog/{self.random.choice(self.posts)['slug']}/"

    def pick(self) -> tuple[str, str, dict[str, str], Account | None]:
        """(kind, path, headers, account) of the next GET, by the mix's weights (the account signs
        an API request with its token)."""
        choice = self.random.random()
        account = self.random.choice(self.accounts)
        if choice < 0.35:
            path = self.random.choice([self.urls["home"], self.urls["page"], self.urls["post_list"], self.post_path()])
            return "anonymous page", path, {}, None
        if choice < 0.60:
            path = self.random.choice([account.dashboard, "/notifications/", self.urls["post_list"], self.post_path()])
            return "signed-in page", path, {"Cookie": account.cookie}, None
        if choice < 0.82:
            path = self.random.choice(
                ["/api/v1/me/", "/api/v1/notifications/", "/api/v1/notifications/unread-count/", "/api/v1/blog/posts/"]
            )
            return "API (JWT)", path, {}, account
        if choice < 0.85:
            admin = next(a for a in self.accounts if a.admin)
            return "API (JWT, admin)", "/api/v1/activity/", {}, admin
        slug = self.random.choice(self.posts)["slug"]
        path = self.random.choice(
            ["/api/v1/", "/api/v1/blog/posts/", f"/api/v1/blog/posts/{slug}/", f"/api/v1/blog/posts/{slug}/comments/"]
        )
        return "API (anonymous)", path, {}, None

    def bearer(self, account: Account) -> str:
        """The account's access token, refreshed shortly before it expires (a refresh rotates it)."""
        with account.lock:
            if account.expires - time.time() < 30:
                began = time.monotonic()
                error = None
                try:
                    answer = session().post(
                        self.base + "/api/v1/auth/token/refresh/",
                        json={"refresh": account.refresh},
                        timeout=HTTP_TIMEOUT,
                    )
                    if answer.status_code == 200:
                        tokens = answer.json()
                        account.access, account.expires = tokens["access"], jwt_expiry(tokens["access"])
                        account.refresh = tokens.get("refresh", account.refresh)
                    else:
                        error = f"status {answer.status_code}"
                except Exception as exc:  # as for any request: an error, counted
                    error = type(exc).__name__
                self.record("token refresh", began, error)
            return account.access

    def record(self, kind: str, began: float, error: str | None) -> None:
        self.samples.append(Sample(began - self.started, kind, (time.monotonic() - began) * 1000, error))

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        headers: dict[str, str],
        *,
        data: dict[str, str] | None = None,
        account: Account | None = None,
        expected: int = 200,
        due: float | None = None,
    ) -> None:
        """One request; its latency runs from when it was due (open loop: a request kept waiting
        for a free client thread, or for a token refresh, waited as a user would have)."""
        began = time.monotonic() if due is None else min(due, time.monotonic())
        headers = dict(headers)
        if account is not None:
            headers["Authorization"] = "Bearer " + self.bearer(account)
        error = None
        try:
            answer = session().request(
                method, self.base + path, headers=headers, data=data, timeout=HTTP_TIMEOUT, allow_redirects=False
            )
            answer.content  # noqa: B018 - the whole body, as a browser reads it
            if answer.status_code != expected:
                error = f"{method} {path}: status {answer.status_code}"
        except Exception as exc:  # connection refused or reset, timeout: each is an error
            error = f"{method} {path}: {type(exc).__name__}"
        self.record(kind, began, error)

    async def http_load(self) -> None:
        loop = asyncio.get_running_loop()
        gap = 1 / self.args.rate
        due = time.monotonic()
        end = self.started + self.seconds
        while due < end:
            kind, path, headers, account = self.pick()
            loop.run_in_executor(self.pool, partial(self.request, kind, "GET", path, headers, account=account, due=due))
            due += gap
            delay = due - time.monotonic()
            if delay < -1:
                self.late += 1
            await asyncio.sleep(max(0.0, delay))

    def comment(self, number: int, due: float) -> None:
        """A comment or a reply (to another soak reader's first comment: a notification for them),
        posted as the page's HTMX form posts it. Accounts take turns, so each stays far below
        COMMENT_RATE_LIMIT (checked before the run)."""
        account = self.accounts[number % len(self.accounts)]
        headers = {"Cookie": account.cookie, "X-CSRFToken": account.csrf, "HX-Request": "true"}
        headers["Referer"] = self.base + "/"
        body = {"body": f"Soak comment {number}: steady traffic, nothing to see here."}
        if number % 3 == 0:
            other = self.accounts[(number + 1) % len(self.accounts)]
            path = f"/comments/{other.comment}/reply/"
            self.request("comment reply", "POST", path, headers, data=body, expected=201, due=due)
        else:
            post = self.posts[number % len(self.posts)]
            path = f"/comments/on/{self.kind}/{post['id']}/"
            self.request("comment post", "POST", path, headers, data=body, expected=201, due=due)

    async def comment_load(self) -> None:
        loop = asyncio.get_running_loop()
        end = self.started + self.seconds
        due = time.monotonic() + self.args.comment_seconds / 2
        while due < end:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            self.comment_number += 1
            loop.run_in_executor(self.pool, self.comment, self.comment_number, due)
            due += self.args.comment_seconds

    # -- Websockets ---------------------------------------------------------------------------

    async def hold(self, slot: int, hold: float) -> dict[str, Any]:
        """Open one socket, read whatever comes for ``hold`` seconds, close it (1000)."""
        import websockets

        account = self.random.choice(self.accounts)
        if slot % 2 == 0:
            kind, path, headers = "notifications", "/ws/notifications/", {"Cookie": account.cookie}
        else:
            post = self.random.choice(self.posts)
            kind, path = "comment thread", f"/ws/comments/{self.kind}/{post['id']}/"
            headers = {"Cookie": account.cookie} if slot % 4 == 1 else {}
        record: dict[str, Any] = {"at": time.monotonic() - self.started, "kind": kind, "hold": hold, "messages": 0}
        opened = time.monotonic()
        try:
            async with websockets.connect(
                self.ws_base + path,
                origin=self.base,  # type: ignore[arg-type]
                additional_headers=headers,
                user_agent_header=USER_AGENT,
                open_timeout=HTTP_TIMEOUT,
                close_timeout=HTTP_TIMEOUT,
                ping_interval=None,  # idle as a browser tab that hears nothing: daphne's own pings only
            ) as socket:
                record["open_ms"] = (time.monotonic() - opened) * 1000
                deadline = opened + hold
                while (remaining := deadline - time.monotonic()) > 0:
                    try:
                        await asyncio.wait_for(socket.recv(), remaining)
                    except TimeoutError:
                        break
                    record["messages"] += 1
        except websockets.ConnectionClosed as closed:
            record["early_close"] = closed.rcvd.code if closed.rcvd else 1006
            record["held"] = time.monotonic() - opened
        except Exception as exc:  # refused handshake, connection error, open timeout
            record["error"] = f"{type(exc).__name__}: {exc}"[:200]
        return record

    async def socket_slot(self, slot: int) -> None:
        end = self.started + self.seconds
        await asyncio.sleep(slot * min(SOCKET_HOLD[0], self.seconds / 10) / max(1, self.args.sockets))
        while (left := end - time.monotonic()) >= SOCKET_HOLD[0]:
            hold = min(self.random.uniform(*SOCKET_HOLD), left)
            self.sockets.append(await self.hold(slot, hold))

    # -- Memory -------------------------------------------------------------------------------

    async def sample_memory(self) -> None:
        end = self.started + self.seconds
        while time.monotonic() < end:
            self.memory.append({"at": time.monotonic() - self.started, **memory(self.pid)})
            await asyncio.sleep(min(5.0, max(0.5, end - time.monotonic())))

    async def run(self) -> None:
        self.started = time.monotonic()
        tasks = [self.http_load(), self.comment_load(), self.sample_memory()]
        tasks += [self.socket_slot(slot) for slot in range(self.args.sockets)]
        await asyncio.gather(*tasks)
        await asyncio.get_running_loop().run_in_executor(None, self.pool.shutdown)
        self.memory.append({"at": time.monotonic() - self.started, **memory(self.pid)})


# --- Figures ------------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def memory_at(samples: list[dict[str, Any]], at: float) -> dict[str, Any]:
    """The first sample at or after ``at`` seconds (the last one when the run was shorter)."""
    return next((sample for sample in samples if sample["at"] >= at), samples[-1])


def figures(soak: Soak, server_log: Path) -> dict[str, Any]:
    args = soak.args
    bucket = args.bucket_seconds
    count = max(1, math.ceil(soak.seconds / bucket - 0.01))
    buckets = []
    for index in range(count):
        low, high = index * bucket, min((index + 1) * bucket, soak.seconds)
        inside = [s for s in soak.samples if low <= s.at < high or (index == count - 1 and s.at >= high)]
        latencies = [s.ms for s in inside if s.error is None]
        sockets = [s for s in soak.sockets if low <= s["at"] < high]
        buckets.append(
            {
                "from_s": low,
                "to_s": high,
                "requests": len(inside),
                "errors": sum(1 for s in inside if s.error),
                "p50_ms": percentile(latencies, 0.5),
                "p99_ms": percentile(latencies, 0.99),
                "sockets": len(sockets),
                "early_closes": sum(1 for s in sockets if "early_close" in s),
                "rss_kib": memory_at(soak.memory, high)["server_kib"],
            }
        )
    first_p99 = buckets[0]["p99_ms"]
    for row in buckets:
        row["p99_ratio"] = row["p99_ms"] / first_p99 if first_p99 else 0.0
    kinds: dict[str, list[Sample]] = {}
    for sample in soak.samples:
        kinds.setdefault(sample.kind, []).append(sample)
    by_kind = {}
    for name, samples in sorted(kinds.items()):
        answered = [s.ms for s in samples if s.error is None]
        by_kind[name] = {
            "requests": len(samples),
            "errors": len(samples) - len(answered),
            "p50_ms": percentile(answered, 0.5),
            "p99_ms": percentile(answered, 0.99),
        }
    errors: dict[str, int] = {}
    for sample in soak.samples:
        if sample.error:
            key = f"{sample.kind}: {sample.error}"
            errors[key] = errors.get(key, 0) + 1
    socket_errors = [s for s in soak.sockets if "error" in s]
    for record in socket_errors:
        key = f"websocket {record['kind']}: {record['error']}"
        errors[key] = errors.get(key, 0) + 1
    early = [s for s in soak.sockets if "early_close" in s]
    start, warm, end = soak.memory[0], memory_at(soak.memory, args.warmup_seconds), soak.memory[-1]
    growth = (end["server_kib"] - warm["server_kib"]) / warm["server_kib"] if warm["server_kib"] else 0.0
    log_lines = server_log.read_text(errors="replace").splitlines() if server_log.exists() else []
    logged = [line for line in log_lines if re.search(r"\b(ERROR|CRITICAL)\b|Traceback", line)]
    socket_kinds: dict[str, int] = {}
    for record in soak.sockets:
        socket_kinds[record["kind"]] = socket_kinds.get(record["kind"], 0) + 1
    data = {
        "requests": len(soak.samples),
        "errors": sum(errors.values()),
        "error_detail": errors,
        "late_starts": soak.late,
        "by_kind": by_kind,
        "buckets": buckets,
        "sockets": {
            "opened": len(soak.sockets) - len(socket_errors),
            "by_kind": socket_kinds,
            "failed_to_open": len(socket_errors),
            "early_closes": len(early),
            "early_close_codes": sorted({s["early_close"] for s in early}),
            "messages": sum(s["messages"] for s in soak.sockets),
            "mean_hold_s": sum(s["hold"] for s in soak.sockets) / len(soak.sockets) if soak.sockets else 0.0,
        },
        "memory": {
            "start": start,
            "after_warmup": warm,
            "end": end,
            "growth_after_warmup": growth,
            # None: no child yet after warm-up (the embedded document server starts on first use)
            "children_growth_after_warmup": (end["children_kib"] - warm["children_kib"]) / warm["children_kib"]
            if warm["children_kib"]
            else None,
        },
        "server_log_errors": len(logged),
        "server_log_excerpt": logged[:10],
    }
    worst = max(row["p99_ratio"] for row in buckets)
    data["verdict"] = {
        "errors": data["errors"] == 0,
        "early_closes": len(early) == 0,
        "p99": worst <= P99_LIMIT,
        "rss": growth < RSS_LIMIT,
        "worst_p99_ratio": worst,
    }
    data["passed"] = all(data["verdict"][key] for key in ("errors", "early_closes", "p99", "rss"))
    return data


def clock(seconds: float) -> str:
    return f"{int(seconds) // 60}:{int(seconds) % 60:02}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def render_section(data: dict[str, Any]) -> str:
    """This run's section of bench/RESULTS.md, between its markers."""
    f = data["figures"]
    m = data["machine"]
    v = f["verdict"]
    s = data["settings"]
    mem = f["memory"]
    sockets = f["sockets"]
    packages = ", ".join(f"{name} {version}" for name, version in sorted(m.get("packages", {}).items()))
    mark = {True: "pass", False: "FAIL"}
    backend = data["backend"]
    growth = mem["children_growth_after_warmup"]
    children_growth = "— (none yet after warm-up)" if growth is None else f"{growth:+.1%}"
    lines = [
        SECTION_START,
        "## Soak (`make soak`)",
        "",
        "Written by `make soak` (bench/soak.py) from one run; do not edit by hand (the rest of this",
        "file is `make bench`'s). See bench/README.md.",
        "",
        f"- **result: {'PASS' if f['passed'] else 'FAIL'}** against issue 12's acceptance 5"
        + ("" if s["minutes"] >= 30 else f" (a {s['minutes']:g}-minute run: acceptance asks for 30)"),
        f"- date: {data['date']}; commit {data['commit']}",
        f"- machine: {m.get('cpu')}, {m.get('cpus')} CPUs, {m.get('memory_gib')} GiB, {m.get('os')}; "
        f"load average at the end {', '.join(map(str, data['load_average']))}",
        f"- software: Python {m.get('python')}, {packages}",
        f"- stack: one daphne process (DEBUG off, production settings as `make bench`); SQL {backend['sql']}; "
        f"cache and channel layer {backend['cache']}; documents {backend['documents']}; broker {data['broker']}; "
        + ("one Celery worker beside it" if s["worker"] else "no Celery worker"),
        f"- pinning: {s['pinning']}",
        f"- load, for {s['minutes']:g} minutes: {s['rate']:g} HTTP requests/s, open loop (35% anonymous pages, 25% "
        f"signed-in pages, 22% API with JWT, 3% the activity log with an admin's JWT, 15% anonymous API), "
        f"one comment post every {s['comment_seconds']:g} s (a third of them replies), {s['sockets']} websockets "
        f"open at once (half `ws/notifications/`, half live comment threads), each held "
        f"{SOCKET_HOLD[0]:g}-{SOCKET_HOLD[1]:g} s and closed by the client; {s['users']} signed-in accounts",
        f"- rate limits: none raised for comments (each account posts once every "
        f"{s['comment_seconds'] * s['users']:g} s, below COMMENT_RATE_LIMIT {s['comment_rate_limit']} per "
        f"{s['comment_rate_window']} s); the API's anon, user and auth (token) throttles raised: every "
        "client shares one address",
        "",
        "| acceptance | measured | result |",
        "| --- | --- | --- |",
        f"| 0 errors (unexpected status, connection error, timeout > {HTTP_TIMEOUT:g} s) | {f['errors']} of "
        f"{f['requests']} requests and {sockets['opened'] + sockets['failed_to_open']} socket opens | "
        f"{mark[v['errors']]} |",
        f"| 0 websocket closes other than the client's | {sockets['early_closes']} of {sockets['opened']}"
        + (f" (codes {', '.join(map(str, sockets['early_close_codes']))})" if sockets["early_closes"] else "")
        + f" | {mark[v['early_closes']]} |",
        f"| p99 within {P99_LIMIT:g}x of the first {s['bucket_seconds']:g} s throughout | worst "
        f"{v['worst_p99_ratio']:.2f}x | {mark[v['p99']]} |",
        f"| RSS growth after warm-up < {RSS_LIMIT:.0%} | {mem['growth_after_warmup']:+.1%} | {mark[v['rss']]} |",
        "",
        "| time (m:ss) | requests | errors | p50 ms | p99 ms | p99 ÷ first | sockets opened | early closes | "
        "server RSS at end |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in f["buckets"]:
        lines.append(
            f"| {clock(row['from_s'])}-{clock(row['to_s'])} | {row['requests']} | {row['errors']} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['p99_ratio']:.2f} | {row['sockets']} | "
            f"{row['early_closes']} | {mib(row['rss_kib'])} |"
        )
    lines += [
        "",
        "| memory (RSS) | server process | its children (embedded document server) |",
        "| --- | ---: | ---: |",
        f"| at start, before any load | {mib(mem['start']['server_kib'])} | {mib(mem['start']['children_kib'])} |",
        f"| after warm-up ({s['warmup_seconds']:g} s) | {mib(mem['after_warmup']['server_kib'])} | "
        f"{mib(mem['after_warmup']['children_kib'])} |",
        f"| at the end | {mib(mem['end']['server_kib'])} | {mib(mem['end']['children_kib'])} |",
        f"| growth after warm-up | {mem['growth_after_warmup']:+.1%} | {children_growth} |",
        "",
        f"Websockets: {sockets['opened']} opened ({', '.join(f'{n} {k}' for k, n in sockets['by_kind'].items())}), "
        f"mean hold {sockets['mean_hold_s']:.0f} s, {sockets['messages']} messages received. "
        f"Server log: {f['server_log_errors']} ERROR/Traceback lines. "
        f"Requests the client started more than 1 s late: {f['late_starts']}.",
        "",
        "| request kind | requests | p50 ms | p99 ms |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, row in f["by_kind"].items():
        lines.append(f"| {name} | {row['requests']} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} |")
    if f["error_detail"]:
        lines += ["", "Errors:", ""]
        lines += [f"- {count} × {what}" for what, count in sorted(f["error_detail"].items())]
    lines += ["", "```sh", *data["commands"], "```", SECTION_END]
    return "\n".join(lines)


def replace_section(document: str, section: str) -> str:
    """``document`` with its soak section replaced by ``section`` (appended when it has none)."""
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END), re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _: section, document, count=1)
    return document.rstrip("\n") + "\n\n" + section + "\n"


# --- Main ---------------------------------------------------------------------------------------


def commit() -> str:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True)
    return (done.stdout.strip() or "unknown") + (" (with uncommitted changes)" if dirty.stdout.strip() else "")


def machine() -> dict[str, Any]:
    try:
        return run.machine()
    except FileNotFoundError:  # it asks wrk for its version; the soak does not need wrk
        return {"cpu": platform.processor(), "cpus": os.cpu_count(), "os": platform.system(), "python": sys.version}


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.prepare:
        print(json.dumps(prepare(args.users, args.prepare)))
        return
    os.chdir(ROOT)
    VAR.mkdir(parents=True, exist_ok=True)
    env = run.bench_env(dict(os.environ))
    # Every account takes and refreshes its tokens from this one address: the "auth" throttle
    # (30/min per address) would refuse their refreshes, which come due together. Raised as
    # bench_env raises the API's anon and user throttles; the comment rate limit is not.
    env["API_THROTTLE_AUTH"] = "1000000/s"
    commands: list[str] = []
    # The code the server runs is what the tree holds now (a commit made during a 30-minute run
    # is not what was measured).
    measured = commit()
    backend = run.backend_of(env)
    print("backend: " + "; ".join(f"{part} {value}" for part, value in backend.items()))
    server_prefix, client_prefix, pinned = run.pinning()
    print(f"pinning: {pinned}")
    limit, window = int(env.get("COMMENT_RATE_LIMIT") or 5), int(env.get("COMMENT_RATE_WINDOW") or 60)
    if args.comment_seconds * args.users < window / limit * 1.5:
        sys.exit(
            f"{args.users} accounts posting a comment every {args.comment_seconds:g} s come too close to "
            f"COMMENT_RATE_LIMIT ({limit} per {window} s per account): raise --users or --comment-seconds"
        )
    if env.get("DATABASE_URL"):
        run.ensure_postgres_database(env["DATABASE_URL"])

    print("collectstatic, migrate, bench_seed, soak accounts ...")
    run.manage("collectstatic", "--no-input", env=env, commands=commands)
    run.manage("migrate", "--no-input", env=env, commands=commands)
    seed_file = VAR / "seed.json"
    run.manage("bench_seed", "--output", str(seed_file.relative_to(ROOT)), env=env, commands=commands)
    password = secrets.token_urlsafe(18)
    seed = run_prepare(env, args.users, password, commands)
    seed["urls"] = {"post_list": "/blog/", **json.loads(seed_file.read_text())}
    accounts = [Account(row["email"], row["comment"], row["admin"]) for row in seed["accounts"]]

    server_log = VAR / "soak-server.log"
    with contextlib.ExitStack() as stack:
        if not args.no_worker:
            stack.enter_context(worker(env, server_prefix, seed["queues"], commands))
        base, pid = stack.enter_context(run.server(env, server_prefix, server_log, commands))
        print(f"signing in {len(accounts)} accounts (session and JWT) ...")
        for account in accounts:
            sign_in(base, account, password)
            obtain_tokens(base, account, password)
        soak = Soak(base, pid, seed, accounts, args)
        print(
            f"soaking for {args.minutes:g} min: {args.rate:g} req/s, a comment every {args.comment_seconds:g} s, "
            f"{args.sockets} sockets, buckets of {args.bucket_seconds:g} s ..."
        )
        asyncio.run(soak.run())
    commands.append(
        f"python -m bench.soak --minutes {args.minutes:g} --rate {args.rate:g} --comment-seconds "
        f"{args.comment_seconds:g} --sockets {args.sockets} --users {args.users} --bucket-seconds "
        f"{args.bucket_seconds:g}  # the load, from this process"
    )

    data = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": measured,
        "machine": machine(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "backend": backend,
        "broker": run.redact(env.get("CELERY_BROKER_URL") or env.get("REDIS_URL") or "filesystem (var/bench/celery)"),
        "settings": {
            "minutes": args.minutes,
            "bucket_seconds": args.bucket_seconds,
            "warmup_seconds": args.warmup_seconds,
            "rate": args.rate,
            "comment_seconds": args.comment_seconds,
            "sockets": args.sockets,
            "users": args.users,
            "worker": not args.no_worker,
            "pinning": pinned,
            "comment_rate_limit": limit,
            "comment_rate_window": window,
        },
        "figures": figures(soak, server_log),
        "commands": [
            f"make soak SOAK_MINUTES={args.minutes:g}  # runs, with make bench's environment "
            "(DEBUG=false BENCH=true SECRET_KEY=<generated> VAR_DIR=var/bench):",
            *commands,
        ],
    }
    stamp = data["date"].replace(":", "").replace("-", "")
    path = VAR / f"soak-{stamp}.json"
    path.write_text(json.dumps(data, indent=2) + "\n")
    section = render_section(data)
    if not args.no_markdown:
        existing = run.RESULTS_MD.read_text() if run.RESULTS_MD.exists() else "# Benchmark results\n"
        run.RESULTS_MD.write_text(replace_section(existing, section))
    print()
    print(section)
    print(f"\nresults: {path.relative_to(ROOT)}" + ("" if args.no_markdown else " and bench/RESULTS.md"))
    if not data["figures"]["passed"]:
        sys.exit("the soak failed its acceptance: see the table above")


if __name__ == "__main__":
    main()
