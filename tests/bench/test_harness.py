"""The benchmark harness, without running a benchmark: no timing is asserted here."""

from __future__ import annotations

import importlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import clear_url_caches

from apps.core.models import SiteComponent, SitePage, Theme, User
from bench import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls_with_bench(settings):  # type: ignore[no-untyped-def]
    """``config.urls`` loaded again with BENCH set as the test says; restored afterwards."""
    import config.urls

    def load(bench: bool) -> None:
        settings.BENCH = bench
        importlib.reload(config.urls)
        clear_url_caches()

    yield load
    settings.BENCH = False
    importlib.reload(config.urls)
    clear_url_caches()


def test_the_hello_view_is_mounted_only_in_bench_mode(client, urls_with_bench):
    urls_with_bench(False)
    assert client.get("/bench/hello/").status_code == 404

    urls_with_bench(True)
    response = client.get("/bench/hello/")
    assert response.status_code == 200 and response.content == b"hello"
    # Through the whole middleware stack, like every page.
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"


def test_bench_seed_refuses_to_run_outside_bench_mode(settings):
    settings.BENCH = False
    with pytest.raises(CommandError, match="BENCH=true"):
        call_command("bench_seed")


def test_bench_seed_is_idempotent_and_names_what_to_measure(settings, tmp_path):
    settings.BENCH = True
    output = tmp_path / "seed.json"

    def counts() -> tuple[int, ...]:
        return tuple(model.objects.count() for model in (User, SitePage, SiteComponent, Theme))

    call_command("bench_seed", output=output, stdout=io.StringIO())
    first = counts()
    call_command("bench_seed", output=output, stdout=io.StringIO())

    assert counts() == first and first[1] >= 1
    urls = json.loads(output.read_text())
    assert {"home": "/", "page": "/about/", "api_root": "/api/v1/"}.items() <= urls.items()
    assert SitePage.objects.get(slug="about").live


def test_a_target_whose_address_was_not_seeded_is_skipped():
    urls = {"home": "/"}

    assert run.resolve_url("{home}", urls) == "/"
    assert run.resolve_url("{post_page}", urls) is None
    assert run.resolve_url("/bench/hello/", urls) == "/bench/hello/"


def test_every_goal_of_the_issue_has_its_target():
    goals = {target.name: target.goal for target in run.TARGETS}

    assert goals["post page, uncached"] == 0.5 and goals["post page, cached"] == 0.8
    assert goals["post list API"] == 0.4
    uncached = [t for t in run.TARGETS if "uncached" in t.name]
    assert uncached and all(t.cookie and t.cache == "bypass" for t in uncached)
    assert all(not t.cookie and t.cache == "hit" for t in run.TARGETS if t.name.endswith(", cached"))


def test_the_load_generator_sends_the_cookie_only_to_uncached_targets():
    command = run.wrk_command(["taskset", "-c", "0"], "http://127.0.0.1:1/", cookie=True, seconds=10, connections=16)

    assert command[:4] == ["taskset", "-c", "0", "wrk"]
    assert "-c16" in command and "-d10s" in command and "Cookie: bench=1" in command
    assert "Cookie: bench=1" not in run.wrk_command([], "http://x/", cookie=False, seconds=1, connections=1)


def test_the_shops_goals_have_their_targets_and_add_to_cart_is_a_post():
    targets = {target.name: target for target in run.TARGETS}

    assert targets["product page, uncached"].goal == 0.5 and targets["product page, cached"].goal == 0.8
    assert targets["catalogue API list"].goal == 0.4
    cart = targets["add to cart"]
    assert cart.goal == 0.3 and cart.form == "{cart_add_form}" and not cart.cookie


def test_a_post_target_is_sent_as_htmx_with_the_benchs_csrf_pair(tmp_path, monkeypatch):
    monkeypatch.setattr(run, "VAR", tmp_path)
    command = run.wrk_command([], "http://x/shop/cart/add/", cookie=False, seconds=1, connections=1, form="variant=7")
    script = (tmp_path / "post.lua").read_text()

    assert command[command.index("-s") + 1].endswith("post.lua")
    assert 'wrk.method = "POST"' in script and 'wrk.body = "variant=7"' in script
    assert f'wrk.headers["Cookie"] = "csrftoken={run.BENCH_CSRF}"' in script
    assert f'wrk.headers["X-CSRFToken"] = "{run.BENCH_CSRF}"' in script and "function done" in script


@pytest.mark.django_db
def test_the_benchs_post_passes_csrf_and_adds_to_a_new_visitors_cart(settings):
    from django.test import Client

    from apps.commerce import bench as shop_bench
    from tests.core.factories import UserFactory

    UserFactory(email="admin@freelancer.dev", roles=["admin"])
    UserFactory(email="shopowner@test.com", roles=["shop_owner"])
    UserFactory(email="makers@test.com", roles=["shop_owner"])
    urls = shop_bench.seed()
    client = Client(enforce_csrf_checks=True)
    headers = {name: value for name, value in run.post_headers().items() if name != "Content-Type"}
    response = client.post(
        urls["cart_add"], urls["cart_add_form"], content_type="application/x-www-form-urlencoded", headers=headers
    )

    assert response.status_code == 200 and "Added 1" in response.content.decode()
    assert "data-cart-count>1<" in response.content.decode()


def test_the_reporters_line_is_read():
    output = (
        "Running 10s test\n"
        'BENCH_JSON {"requests": 6000, "duration_us": 10000000, "bytes": 1, "errors": {"connect": 0, '
        '"read": 0, "write": 0, "status": 0, "timeout": 0}, "latency_ms": {"p50": 20.5, "p90": 30, '
        '"p99": 90.25, "max": 120, "mean": 22}}\n'
    )

    report = run.parse_wrk(output)

    assert report["requests"] == 6000 and report["latency_ms"]["p99"] == 90.25


def sample_rows() -> list[dict]:
    def row(name: str, rps: float, *, goal: float | None = None, cookie: bool = False, errors: int = 0) -> dict:
        return {
            "name": name,
            "url": "/x/",
            "path": "/x/",
            "cookie": cookie,
            "goal": goal,
            "cache": None,
            "rps": rps,
            "p50_ms": 10.0,
            "p99_ms": 40.0,
            "errors": errors,
            "queries": 1.0,
            "server_cpu": 0.99,
            "client_cpu": 0.02,
        }

    return [
        row("hello", 1000),
        row("post page, uncached", 550, goal=0.5, cookie=True),
        row("post page, cached", 700, goal=0.8),
        {"name": "post list API", "url": "{post_list_api}", "path": None, "goal": 0.4, "skipped": "not seeded"},
        row("hello (again)", 900),
    ]


def test_ratios_are_to_the_mean_of_both_hello_runs_and_goals_decide():
    rows = sample_rows()

    hello = run.summarise(rows, rows[0], rows[-1])

    assert hello["mean"] == 950 and hello["drift"] == pytest.approx(-100 / 950)
    assert rows[1]["ratio"] == pytest.approx(550 / 950) and rows[1]["passed"] is True
    assert rows[2]["passed"] is False  # 0.74 < 0.8
    assert rows[0]["passed"] is None  # no goal
    assert "ratio" not in rows[3]


def sample_data() -> dict:
    rows = sample_rows()
    return {
        "date": "2026-01-02T03:04:05Z",
        "machine": {
            "cpu": "Test CPU",
            "cpus": 2,
            "memory_gib": 24.0,
            "os": "Linux 6",
            "python": "3.11.7",
            "packages": {"django": "5.2", "daphne": "4.2"},
            "wrk": "wrk 4.1.0",
        },
        "backend": {"sql": "sqlite var/bench/db.sqlite3", "cache": "local memory", "documents": "embedded"},
        "settings": {"duration": 10, "warmup": 2, "connections": 16, "query_samples": 20, "pinning": "pinned"},
        "hello": run.summarise(rows, rows[0], rows[-1]),
        "rows": rows,
        "commands": ["make bench", "wrk -t1 -c16 -d10s http://127.0.0.1:1/<path>"],
    }


def test_the_results_page_holds_every_ratio_and_the_commands(tmp_path):
    markdown = tmp_path / "RESULTS.md"

    path = run.write_results(sample_data(), json_dir=tmp_path / "json", markdown=markdown)

    text = markdown.read_text()
    assert "- date: 2026-01-02T03:04:05Z" in text
    assert "- machine: Test CPU, 2 CPUs, 24.0 GiB, Linux 6" in text
    assert "- hello: 1000 req/s first, 900 req/s last, mean 950 (drift -10.5%)" in text
    assert "more than 10%: something else ran on the machine" in text
    assert "| post page, uncached | `/x/` (Cookie: bench=1) | 550 | 10.0 | 40.0 | 1.0 | 0.58 | 0.50 | pass |" in text
    assert "| post page, cached | `/x/` | 700 | 10.0 | 40.0 | 1.0 | 0.74 | 0.80 | FAIL |" in text
    assert "| post list API | — | — | — | — | — | — | 0.40 | skipped: not seeded |" in text
    assert "wrk -t1 -c16 -d10s http://127.0.0.1:1/<path>" in text
    assert json.loads(path.read_text())["hello"]["mean"] == 950
    assert (tmp_path / "json" / "latest.json").read_text() == path.read_text()


def test_a_new_run_keeps_the_sections_other_runs_wrote(tmp_path):
    markdown = tmp_path / "RESULTS.md"
    soak = "<!-- soak:start (written by make soak) -->\n## Soak\n\n0 errors\n<!-- soak:end -->"
    markdown.write_text(f"# old bench figures\n\n{soak}\n\nnot a section\n")

    run.write_results(sample_data(), json_dir=tmp_path / "json", markdown=markdown)

    text = markdown.read_text()
    assert "old bench figures" not in text and "not a section" not in text
    assert text.endswith(f"\n\n{soak}\n")
    assert "- hello: 1000 req/s first" in text


def test_requests_that_failed_fail_their_target():
    data = sample_data()
    data["rows"][1]["errors"] = 3

    assert "| FAIL (3 errors) |" in run.table(data)


def test_the_results_page_holds_the_queues_figures():
    data = sample_data()
    data["jobs"] = {
        "broker": "filesystem",
        "worker": "taskset -c 1 python -m celery -A config worker -P solo -c 1",
        "latency": {"probes": 200, "gap_ms": 20.0, "p50_ms": 52.6, "p99_ms": 99.7, "mean_ms": 52.1, "max_ms": 101.4},
        "outbox": {"events": 2000, "deliveries": 2000, "seconds": 14.2, "events_per_second": 140.8},
    }

    text = run.render_markdown(data)

    assert "ONE worker process (solo pool, pinned where the server was) on the filesystem broker" in text
    assert "| enqueue-to-start latency, p50 (200 tasks, one every 20 ms) | 52.6 ms |" in text
    assert "| enqueue-to-start latency, p99 | 99.7 ms |" in text
    assert "one delivery each, to the activity log) | 141 events/s |" in text


def test_a_run_without_the_queues_figures_says_nothing_of_them():
    assert "Background work" not in run.render_markdown(sample_data())


def test_the_queue_latency_percentiles_are_of_the_recorded_probes(tmp_path):
    from bench import jobs

    log = tmp_path / "probes.log"
    log.write_text("".join(f"{100.0 + i} {100.0 + i + (i + 1) / 1000}\n" for i in range(100)))

    latencies = [(started - sent) * 1000 for sent, started in jobs.probes_seen(log)]

    assert jobs.percentile(latencies, 0.5) == pytest.approx(51, abs=1)
    assert jobs.percentile(latencies, 0.99) == pytest.approx(99, abs=1)
    assert jobs.probes_seen(tmp_path / "missing.log") == []
