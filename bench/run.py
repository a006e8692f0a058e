"""`make bench` (`python -m bench.run`): one daphne process, one load generator, one run.

Prepares a database (SQLite under var/bench/ by default; PostgreSQL and Redis when
DATABASE_URL / REDIS_URL are set), seeds it (`manage.py bench_seed`), starts ONE daphne process
in production mode pinned to one core, and drives it with wrk pinned to the other: the bare
`hello` view first, each target in TARGETS, `hello` again last. Every target gets the same
connections, a warm-up and a fixed measured duration. Then queries per request are counted
out of band (bench/queries.py). Prints a table, writes var/bench/results-<time>.json (and
latest.json) and rewrites bench/RESULTS.md. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import resource
import secrets
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import social

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
RESULTS_MD = ROOT / "bench" / "RESULTS.md"
REPORTER = ROOT / "bench" / "report.lua"
BENCH_COOKIE = "bench=1"  # harmless, not a session: it only makes the page cache step aside


@dataclass(frozen=True)
class Target:
    """One thing to measure. ``url`` is a path, or ``{name}``: an address bench_seed reported
    (core reports home, page and api_root; apps add theirs through their hook's bench_seed).
    A target whose address nobody reported is skipped, not failed."""

    name: str
    url: str
    cookie: bool = False  # send `Cookie: bench=1`: such a visitor bypasses the whole-page cache
    goal: float | None = None  # least requests/second as a fraction of hello's that passes
    cache: str | None = None  # X-Page-Cache the page must answer with: "hit" (cached) or "bypass"
    # A form POSTed as htmx posts it (``{name}``: a body bench_seed reported), with a fixed CSRF
    # cookie and token and no other cookie: each request is a new visitor's first action.
    form: str | None = None
    # ``{name}``: a signed-in session bench_seed reported, sent as the session cookie beside the
    # CSRF pair, so the POST is a signed-in person's own write (a learner's progress).
    session: str | None = None


HELLO = Target("hello", "/bench/hello/")
HELLO_AGAIN = Target("hello (again)", HELLO.url)  # last, to expose drift over the run

# Measured in this order, between a first and a last run of HELLO. One line per target.
TARGETS = [
    Target("home page, uncached", "{home}", cookie=True, goal=0.5, cache="bypass"),
    Target("home page, cached", "{home}", goal=0.8, cache="hit"),
    Target("free page, uncached", "{page}", cookie=True, goal=0.5, cache="bypass"),
    Target("free page, cached", "{page}", goal=0.8, cache="hit"),
    Target("API root", "{api_root}"),
    Target("post page, uncached", "{post_page}", cookie=True, goal=0.5, cache="bypass"),
    Target("post page, cached", "{post_page}", goal=0.8, cache="hit"),
    Target("post list API", "{post_list_api}", goal=0.4),
    Target("product page, uncached", "{product}", cookie=True, goal=0.5, cache="bypass"),
    Target("product page, cached", "{product}", goal=0.8, cache="hit"),
    Target("catalogue, cached", "{catalogue}", cache="hit"),
    Target("catalogue API list", "{catalogue_api}", goal=0.4),
    Target("add to cart", "{cart_add}", form="{cart_add_form}", goal=0.3),
    Target("course page, uncached", "{course_page}", cookie=True, goal=0.5, cache="bypass"),
    Target("course page, cached", "{course_page}", goal=0.8, cache="hit"),
    Target("lesson page, uncached", "{lesson_page}", cookie=True, goal=0.5, cache="bypass"),
    Target("lesson page, cached", "{lesson_page}", goal=0.8, cache="hit"),
    Target(
        "progress write",
        "{progress_write}",
        form="{progress_write_form}",
        session="{progress_write_session}",
        goal=0.3,
    ),
    # A signed-in reader's home timeline (bench/social.py seeds it: 20,000 followed posts).
    Target("social home timeline page", "{social_home}", session="{social_home_session}"),
]

# A CSRF secret of the bench's own, sent as the cookie and (unmasked, which Django accepts) as
# the token of every POST target: no page has to be fetched first to obtain one.
BENCH_CSRF = "benchbenchbenchbenchbenchbench00"

SERVER_CPU = 1
CLIENT_CPU = 0


# --- Environment -------------------------------------------------------------------------------


def bench_env(base: dict[str, str]) -> dict[str, str]:
    """Production mode for the server and every manage.py step: DEBUG off, a fresh secret, hashed
    static files, no per-request logging, API throttles out of the way of a single client."""
    env = dict(base)
    env.update(
        DEBUG="false",
        BENCH="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        HTTPS="false",
        LOG_LEVEL="WARNING",
        VAR_DIR=str(VAR),
        STATIC_MANIFEST="true",
        STATIC_ROOT=str(VAR / "static"),
        # One client makes every request; per second, DRF's per-client history stays short.
        API_THROTTLE_ANON="1000000/s",
        API_THROTTLE_USER="1000000/s",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def backend_of(env: dict[str, str]) -> dict[str, str]:
    database = env.get("DATABASE_URL", "")
    redis = env.get("REDIS_URL", "")
    return {
        "sql": f"postgresql {redact(database)}" if database else f"sqlite {VAR.relative_to(ROOT)}/db.sqlite3",
        "cache": f"redis {redact(redis)}" if redis else "local memory (in the server process)",
        "documents": "mongodb " + redact(env["MONGODB_URL"]) if env.get("MONGODB_URL") else "embedded nx-27017",
    }


def ensure_postgres_database(url: str) -> None:
    """Create the database DATABASE_URL names if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST"),
        "port": config.get("PORT"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"created database {config['NAME']}")


def ensure_wrk() -> str:
    """wrk, from Debian's package (installed here when running as root, as .ci/run does Chromium)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk from Debian's packages")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env, stdout=subprocess.DEVNULL)
        found = shutil.which("wrk")
    if not found:
        sys.exit("make bench needs wrk: `apt-get install wrk` (Debian/Ubuntu) or your system's package.")
    return found


def pinning() -> tuple[list[str], list[str], str]:
    """taskset prefixes for the server and the client, and a sentence saying what was done."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) >= 2 and shutil.which("taskset"):
        server, client = cores[SERVER_CPU], cores[CLIENT_CPU]
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, {client})  # this harness stays off the server's core too
        return (
            ["taskset", "-c", str(server)],
            ["taskset", "-c", str(client)],
            f"server on CPU {server}, load generator and harness on CPU {client} (taskset)",
        )
    return [], [], f"not pinned ({len(cores)} CPU(s) available or no taskset)"


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    versions = {}
    for package in ("django", "daphne", "twisted", "channels"):
        with contextlib.suppress(Exception):
            from importlib.metadata import version

            versions[package] = version(package)
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
    return {
        "cpu": model or platform.processor() or "unknown",
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": versions,
        "wrk": wrk[0].split(" Copyright")[0] if wrk else "wrk",
    }


# --- Steps -------------------------------------------------------------------------------------


def manage(*args: str, env: dict[str, str], commands: list[str], quiet: bool = True) -> str:
    command = [sys.executable, "manage.py", *args]
    commands.append(shlex.join(["python", "manage.py", *args]))
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit(f"`{shlex.join(command[1:])}` failed with exit code {done.returncode}")
    if not quiet:
        print(done.stdout, end="")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_headers(session: str | None = None) -> dict[str, str]:
    """What a POST target sends besides its body: an htmx request with the bench's CSRF pair
    (and, for a signed-in person's write, their session cookie)."""
    cookie = f"csrftoken={BENCH_CSRF}" + (f"; sessionid={session}" if session else "")
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
        "X-CSRFToken": BENCH_CSRF,
        "Cookie": cookie,
    }


def fetch(url: str, *, cookie: bool, form: str | None = None, session: str | None = None) -> tuple[int, dict[str, str]]:
    # Only ever the harness's own server on loopback.
    if form is not None:
        headers = post_headers(session)
    elif session is not None:
        headers = {"Cookie": f"sessionid={session}"}  # a signed-in GET: past the page cache anyway
    else:
        headers = {"Cookie": BENCH_COOKIE} if cookie else {}
    data = form.encode() if form is not None else None
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


@contextlib.contextmanager
def server(env: dict[str, str], prefix: list[str], log_path: Path, commands: list[str]) -> Iterator[tuple[str, int]]:
    """ONE daphne process, production's `manage.py serve` (no access log), yielding its base URL
    and pid; stopped (SIGTERM: it drains, then exits) on the way out."""
    port = int(env.get("BENCH_PORT") or free_port())
    args = ["manage.py", "serve", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
    commands.append(shlex.join([*prefix, "python", *args]))
    with open(log_path, "wb") as log:
        process = subprocess.Popen([*prefix, sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                sys.exit(f"the server exited with {process.returncode}; see {log_path}")
            with contextlib.suppress(OSError):
                if fetch(base + "/healthz", cookie=False)[0] == 200:
                    break
            if time.monotonic() > deadline:
                sys.exit(f"the server did not answer within 60 s; see {log_path}")
            time.sleep(0.2)
        yield base, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def post_script(form: str, session: str | None = None) -> Path:
    """A wrk script that POSTs ``form`` with post_headers(), then reports as report.lua does."""
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(form)}"]
    headers = post_headers(session).items()
    lines += [f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}" for name, value in headers]
    path = VAR / "post.lua"
    path.write_text("\n".join(lines) + "\n" + REPORTER.read_text())
    return path


def wrk_command(
    prefix: list[str],
    url: str,
    *,
    cookie: bool,
    seconds: int,
    connections: int,
    form: str | None = None,
    session: str | None = None,
) -> list[str]:
    headers = ["-H", f"Cookie: {BENCH_COOKIE}"] if cookie else []
    if session is not None and form is None:
        headers = ["-H", f"Cookie: sessionid={session}"]
    script = post_script(form, session) if form is not None else REPORTER
    return [
        *prefix,
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script.relative_to(ROOT)) if script.is_relative_to(ROOT) else str(script),
        *headers,
        url,
    ]


def parse_wrk(output: str) -> dict[str, Any]:
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise ValueError("wrk printed no BENCH_JSON line:\n" + output)


def load(
    target: Target,
    url: str,
    *,
    prefix: list[str],
    server_pid: int,
    seconds: int,
    warmup: int,
    connections: int,
    form: str | None = None,
    session: str | None = None,
) -> dict[str, Any]:
    """Warm up, then measure one target: requests/second, latency, errors, CPU of both sides."""
    shape = {"cookie": target.cookie, "connections": connections, "form": form, "session": session}
    if warmup > 0:
        command = wrk_command(prefix, url, seconds=warmup, **shape)
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
    command = wrk_command(prefix, url, seconds=seconds, **shape)
    client_before, server_before, started = children_cpu(), cpu_seconds(server_pid), time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    report = parse_wrk(done.stdout)
    errors = report["errors"]
    return {
        "rps": report["requests"] / (report["duration_us"] / 1e6),
        "requests": report["requests"],
        "p50_ms": report["latency_ms"]["p50"],
        "p99_ms": report["latency_ms"]["p99"],
        "errors": sum(errors.values()),
        "error_detail": errors,
        "server_cpu": (cpu_seconds(server_pid) - server_before) / wall,
        "client_cpu": (children_cpu() - client_before) / wall,
        "command": shlex.join(command),
    }


def check_target(base: str, target: Target, path: str, form: str | None = None, session: str | None = None) -> str:
    """The target answers 200 and the page cache does what the target says (a miss warms it)."""
    status, headers = fetch(base + path, cookie=target.cookie, form=form, session=session)
    if target.cache == "hit":
        status, headers = fetch(base + path, cookie=target.cookie)
    if status != 200:
        sys.exit(f"{target.name}: {'POST' if form is not None else 'GET'} {path} answered {status}, not 200")
    seen = headers.get("X-Page-Cache", "-")
    if target.cache is not None and seen != target.cache:
        sys.exit(f"{target.name}: GET {path} answered X-Page-Cache: {seen}, expected {target.cache}")
    return seen


def count_queries(env: dict[str, str], prefix: list[str], measured: list[dict[str, Any]], samples: int) -> None:
    spec = {
        "samples": samples,
        "warmup": 5,
        "targets": [
            {
                "name": row["name"],
                "path": row["path"],
                "cookie": row["cookie"],
                "form": row.get("body"),
                "session": row.get("session_key"),
            }
            for row in measured
        ],
    }
    command = [*prefix, sys.executable, "-m", "bench.queries"]
    done = subprocess.run(command, cwd=ROOT, env=env, input=json.dumps(spec), capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        sys.exit("counting queries failed")
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    for row in measured:
        row["queries"] = counts[row["name"]]


def measure_jobs(
    env: dict[str, str], server_prefix: list[str], client_prefix: list[str], commands: list[str]
) -> dict[str, Any]:
    """The queue's figures (bench/jobs.py): ONE worker process pinned where the server was."""
    args = ["-m", "bench.jobs", "--worker-prefix", shlex.join(server_prefix)]
    command = [*client_prefix, sys.executable, *args]
    commands.append(shlex.join([*client_prefix, "python", *args]) + "  # the queue's figures, one worker process")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit("measuring the queue failed")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    commands.append(report["worker"])
    return report


def prepare_social(env: dict[str, str], commands: list[str]) -> dict[str, str]:
    """Seed the home timeline page target (bench/social.py --prepare): its address and session."""
    command = [sys.executable, "-m", "bench.social", "--prepare"]
    commands.append("python -m bench.social --prepare  # the home timeline page's reader, signed in")
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        sys.exit("seeding the social targets failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_social(
    env: dict[str, str], parts: list[str], server_prefix: list[str], client_prefix: list[str], commands: list[str]
) -> dict[str, Any]:
    """Issue 15's figures (bench/social.py): fan-out, push vs pull, DM delivery."""
    args = ["-m", "bench.social", "--parts", ",".join(parts), "--server-prefix", shlex.join(server_prefix)]
    if client_prefix:  # the second fan-out worker on the other core
        args += ["--other-prefix", shlex.join(client_prefix)]
    command = [*client_prefix, sys.executable, *args]
    commands.append(shlex.join([*client_prefix, "python", *args]) + "  # issue 15's figures")
    # Its progress (stderr) shows as it goes: the parts take a minute or two each.
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout)
        sys.exit("measuring the social network failed")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    commands.extend(report["commands"])
    return report


# --- Results ----------------------------------------------------------------------------------


def summarise(rows: list[dict[str, Any]], hello_first: dict[str, Any], hello_last: dict[str, Any]) -> dict[str, Any]:
    """hello's mean of its first and last run, each target's ratio to it and whether it meets its goal."""
    mean = (hello_first["rps"] + hello_last["rps"]) / 2
    for row in rows:
        if row.get("skipped"):
            continue
        row["ratio"] = row["rps"] / mean if mean else 0.0
        row["passed"] = None if row["goal"] is None else bool(row["ratio"] >= row["goal"] and not row["errors"])
    return {
        "first": hello_first["rps"],
        "last": hello_last["rps"],
        "mean": mean,
        "drift": (hello_last["rps"] - hello_first["rps"]) / mean if mean else 0.0,
    }


def _cell(row: dict[str, Any], key: str, fmt: str) -> str:
    value = row.get(key)
    return "—" if value is None else format(value, fmt)


def table(data: dict[str, Any]) -> str:
    """The results as a markdown table (also what the terminal shows)."""
    lines = [
        "| target | URL | req/s | p50 ms | p99 ms | queries/req | ratio to hello | goal | result |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for row in data["rows"]:
        if row.get("skipped"):
            goal = _cell(row, "goal", ".2f")
            lines.append(f"| {row['name']} | — | — | — | — | — | — | {goal} | skipped: {row['skipped']} |")
            continue
        if row.get("errors"):
            result = f"FAIL ({row['errors']} errors)"
        else:
            result = {True: "pass", False: "FAIL", None: "—"}[row.get("passed")]
        cookie = " (Cookie: bench=1)" if row["cookie"] else ""
        lines.append(
            f"| {row['name']} | `{row['path']}`{cookie} | {row['rps']:.0f} | {row['p50_ms']:.1f} | "
            f"{row['p99_ms']:.1f} | {_cell(row, 'queries', '.1f')} | {_cell(row, 'ratio', '.2f')} | "
            f"{_cell(row, 'goal', '.2f')} | {result} |"
        )
    return "\n".join(lines)


def render_markdown(data: dict[str, Any]) -> str:
    """bench/RESULTS.md from one run's JSON."""
    hello = data["hello"]
    m = data["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in sorted(m["packages"].items()))
    backend = data["backend"]
    settings = data["settings"]
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run.py) from one run; do not edit by hand. See bench/README.md",
        "for what is measured and how.",
        "",
        f"- date: {data['date']}",
        f"- machine: {m['cpu']}, {m['cpus']} CPUs, {m['memory_gib']} GiB, {m['os']}",
        f"- software: Python {m['python']}, {packages}, {m['wrk']}",
        f"- backend: SQL {backend['sql']}; cache {backend['cache']}; documents {backend['documents']}",
        f"- pinning: {settings['pinning']}",
        f"- load: {settings['connections']} keep-alive connections, {settings['warmup']:g} s warm-up then "
        f"{settings['duration']:g} s per target; queries counted over {settings['query_samples']} warm requests",
        f"- hello: {hello['first']:.0f} req/s first, {hello['last']:.0f} req/s last, mean {hello['mean']:.0f} "
        f"(drift {hello['drift']:+.1%}); every ratio is to the mean",
    ]
    if "load_average" in hello:
        lines.append(f"- load average at the end (1, 5, 15 min): {', '.join(map(str, hello['load_average']))}")
    if abs(hello["drift"]) > 0.1:
        lines.append("- **hello drifted by more than 10%: something else ran on the machine; run again**")
    lines += [
        "",
        table(data),
        "",
        "Server CPU is the share of its core the daphne process used while measured; the load",
        "generator's share shows it was not the bottleneck:",
        "",
        "| target | server CPU | load generator CPU |",
        "| --- | ---: | ---: |",
    ]
    for row in data["rows"]:
        if not row.get("skipped"):
            lines.append(f"| {row['name']} | {row['server_cpu']:.0%} | {row['client_cpu']:.0%} |")
    jobs = data.get("jobs")
    if jobs:
        latency, throughput = jobs["latency"], jobs["outbox"]
        lines += [
            "",
            "Background work, ONE worker process (solo pool, pinned where the server was) "
            f"on the {jobs['broker']} broker:",
            "",
            "| figure | value |",
            "| --- | ---: |",
            f"| enqueue-to-start latency, p50 ({latency['probes']} tasks, one every {latency['gap_ms']:g} ms) "
            f"| {latency['p50_ms']:.1f} ms |",
            f"| enqueue-to-start latency, p99 | {latency['p99_ms']:.1f} ms |",
            f"| outbox throughput ({throughput['events']} events, 50 aggregates, transactions of 100; "
            f"one delivery each, to the activity log) | {throughput['events_per_second']:.0f} events/s |",
        ]
    lines += ["", "## Commands", "", "```sh", *data["commands"], "```", ""]
    return "\n".join(lines)


def write_results(data: dict[str, Any], *, json_dir: Path, markdown: Path | None) -> Path:
    json_dir.mkdir(parents=True, exist_ok=True)
    stamp = data["date"].replace(":", "").replace("-", "")
    path = json_dir / f"results-{stamp}.json"
    text = json.dumps(data, indent=2) + "\n"
    path.write_text(text)
    (json_dir / "latest.json").write_text(text)
    if markdown is not None:
        kept = kept_sections(markdown.read_text() if markdown.exists() else "")
        markdown.write_text(render_markdown(data).rstrip("\n") + "".join(f"\n\n{section}" for section in kept) + "\n")
    return path


# Sections other runs own (`make soak`'s, the fault figures), between `<!-- name:start ... -->` and
# `<!-- name:end -->`: a bench run rewrites the file but keeps them as they were.
_KEPT_SECTION = re.compile(r"<!-- (?P<name>[\w-]+):start\b.*?<!-- (?P=name):end -->", re.DOTALL)


def kept_sections(document: str) -> list[str]:
    return [match.group(0) for match in _KEPT_SECTION.finditer(document)]


def social_header(data: dict[str, Any]) -> list[str]:
    """The social section's first lines: when, where, on what (the section is kept by later
    runs that skip it, so it says these itself)."""
    m, backend = data["machine"], data["backend"]
    return [
        "Written by `make bench` (bench/social.py) from one run; do not edit by hand. See bench/README.md.",
        "",
        f"- date: {data['date']}; machine: {m['cpu']}, {m['cpus']} CPUs; load average at the end: "
        + ", ".join(map(str, data["hello"].get("load_average", []))),
        f"- backend: SQL {backend['sql']}; cache {backend['cache']}",
        f"- pinning: {data['settings']['pinning']} (fan-out: one worker per core)",
    ]


# --- Main ---------------------------------------------------------------------------------------


def resolve_url(template: str, urls: dict[str, str]) -> str | None:
    """``{name}`` → the address bench_seed reported under that name (None when it reported none)."""
    if template.startswith("{") and template.endswith("}"):
        return urls.get(template[1:-1])
    return template


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    # Whole seconds: wrk takes no fractions.
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument("--warmup", type=int, default=int(os.environ.get("BENCH_WARMUP", 2)))
    parser.add_argument("--connections", type=int, default=int(os.environ.get("BENCH_CONNECTIONS", 16)))
    parser.add_argument("--query-samples", type=int, default=20)
    parser.add_argument("--only", help="measure only targets whose name contains this text (hello always runs)")
    parser.add_argument("--no-markdown", action="store_true", help="do not rewrite bench/RESULTS.md")
    parser.add_argument("--no-jobs", action="store_true", help="skip the queue's figures (bench/jobs.py)")
    parser.add_argument("--no-social", action="store_true", help="skip issue 15's figures (bench/social.py)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    os.chdir(ROOT)
    VAR.mkdir(parents=True, exist_ok=True)
    env = bench_env(dict(os.environ))
    commands: list[str] = []
    backend = backend_of(env)
    print("backend: " + "; ".join(f"{part} {value}" for part, value in backend.items()))
    ensure_wrk()
    server_prefix, client_prefix, pinned = pinning()
    print(f"pinning: {pinned}")
    if env.get("DATABASE_URL"):
        ensure_postgres_database(env["DATABASE_URL"])

    print("collectstatic, migrate, bench_seed ...")
    manage("collectstatic", "--no-input", env=env, commands=commands)
    manage("migrate", "--no-input", env=env, commands=commands)
    seed_file = VAR / "seed.json"
    manage("bench_seed", "--output", str(seed_file.relative_to(ROOT)), env=env, commands=commands)
    urls = json.loads(seed_file.read_text())

    selected = [t for t in TARGETS if not args.only or args.only.lower() in t.name.lower()]
    if not args.no_social and any(t.url == "{social_home}" for t in selected):
        urls.update(prepare_social(env, commands))
    rows: list[dict[str, Any]] = []
    with server(env, server_prefix, VAR / "server.log", commands) as (base, pid):
        plan: list[tuple[Target, str | None]] = [(HELLO, HELLO.url)]
        plan += [(t, resolve_url(t.url, urls)) for t in selected]
        plan.append((HELLO_AGAIN, HELLO_AGAIN.url))
        for target, path in plan:
            if path is None:
                rows.append({**asdict(target), "path": None, "skipped": f"no address {target.url} was seeded"})
                print(f"{target.name:<24} skipped: nothing seeded for {target.url}")
                continue
            body = resolve_url(target.form, urls) if target.form is not None else None
            if target.form is not None and body is None:
                rows.append({**asdict(target), "path": None, "skipped": f"no form {target.form} was seeded"})
                print(f"{target.name:<24} skipped: nothing seeded for {target.form}")
                continue
            session = resolve_url(target.session, urls) if target.session is not None else None
            if target.session is not None and session is None:
                rows.append({**asdict(target), "path": None, "skipped": f"no session {target.session} was seeded"})
                print(f"{target.name:<24} skipped: nothing seeded for {target.session}")
                continue
            seen = check_target(base, target, path, form=body, session=session)
            result = load(
                target,
                base + path,
                prefix=client_prefix,
                server_pid=pid,
                seconds=args.duration,
                warmup=args.warmup,
                connections=args.connections,
                form=body,
                session=session,
            )
            row = {**asdict(target), "path": path, "body": body, "session_key": session, "page_cache": seen}
            rows.append({**row, **result})
            print(
                f"{target.name:<24} {result['rps']:8.0f} req/s  p50 {result['p50_ms']:6.1f} ms  "
                f"p99 {result['p99_ms']:6.1f} ms  errors {result['errors']}"
            )
        template = wrk_command(
            client_prefix, base + "<path>", cookie=False, seconds=args.duration, connections=args.connections
        )
        commands.append(
            f"{shlex.join(template)}  # after a {args.warmup:g} s run of the same; "
            f"-H 'Cookie: {BENCH_COOKIE}' for the uncached targets"
        )

    measured = [row for row in rows if not row.get("skipped")]
    count_queries(env, client_prefix, measured, args.query_samples)
    commands.append("python -m bench.queries  # queries per request, Django's test client, same environment")
    jobs = None if args.no_jobs else measure_jobs(env, server_prefix, client_prefix, commands)
    parts = [] if args.no_social else social.selected_parts(args.only)
    social_commands: list[str] = []
    social_report = measure_social(env, parts, server_prefix, client_prefix, social_commands) if parts else None

    hello_first, hello_last = rows[0], rows[-1]
    hello = summarise(rows, hello_first, hello_last)
    # Other work on the machine skews everything; the load average and hello's drift show it.
    hello["load_average"] = [round(value, 2) for value in os.getloadavg()]
    data = {
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "backend": backend,
        "settings": {
            "duration": args.duration,
            "warmup": args.warmup,
            "connections": args.connections,
            "query_samples": args.query_samples,
            "pinning": pinned,
        },
        "hello": hello,
        "rows": rows,
        "jobs": jobs,
        "commands": [
            "make bench  # runs, with DEBUG=false BENCH=true SECRET_KEY=<generated> VAR_DIR=var/bench:",
            *commands,
        ],
    }
    if social_report is not None:
        data["social"] = social_report
        setup = [c for c in data["commands"] if "bench.social" not in c][:4]
        social_report["commands"] = [*setup, *social_commands]
    path = write_results(data, json_dir=VAR, markdown=None if args.no_markdown else RESULTS_MD)
    if social_report is not None and not args.no_markdown:
        social.write_section(RESULTS_MD, social.render_section(social_report, header=social_header(data)))
    print()
    print(table(data))
    print(f"\nhello: {hello['first']:.0f} then {hello['last']:.0f} req/s (drift {hello['drift']:+.1%})")
    if jobs:
        print(
            f"queue ({jobs['broker']}): enqueue-to-start p50 {jobs['latency']['p50_ms']:.1f} ms, "
            f"p99 {jobs['latency']['p99_ms']:.1f} ms; outbox {jobs['outbox']['events_per_second']:.0f} events/s"
        )
    if social_report is not None:
        print(social.summary(social_report))
    print(f"results: {path.relative_to(ROOT)}" + ("" if args.no_markdown else f" and {RESULTS_MD.relative_to(ROOT)}"))
    if any(row.get("errors") for row in measured):
        sys.exit("some requests failed: see the errors column")


if __name__ == "__main__":
    main()
