"""The soak harness (bench/soak.py) without a soak: its accounts, its verdict and its section of
bench/RESULTS.md. No timing is asserted here."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from apps.blog.models import Post
from apps.core.comments.models import Comment
from apps.core.models import User
from bench import soak
from bench.soak import Sample
from tests.core.comments.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_accounts_each_have_an_approved_comment_and_a_second_run_starts_from_the_same_threads(settings):
    settings.BENCH = True
    call_command("bench_seed", stdout=io.StringIO())

    first = soak.prepare(3, "a-password-for-this-run")
    author_email = first["accounts"][1]["email"]
    post = Post.objects.get(pk=first["posts"][0]["id"])
    CommentFactory(target=post, author=User.objects.get(email=author_email), body="Left over from the last run.")
    again = soak.prepare(3, "the-next-runs-password")

    assert [a["comment"] for a in again["accounts"]] == [a["comment"] for a in first["accounts"]]
    mine = Comment.objects.filter(author__email__endswith="@" + soak.ACCOUNT_DOMAIN)
    assert mine.count() == 3 and all(c.status == Comment.Status.APPROVED for c in mine)
    assert User.objects.get(email=author_email).check_password("the-next-runs-password")
    assert [a["admin"] for a in again["accounts"]] == [True, False, False]
    assert again["posts"] and "default" in again["queues"]


def run_of(*, samples=(), sockets=(), growth: float = 0.01, seconds: float = 60.0):  # type: ignore[no-untyped-def]
    """What a 60 s soak in buckets of 10 s recorded: steady 10 ms answers unless told otherwise."""
    steady = [Sample(at=t / 10, kind="anonymous page", ms=10.0, error=None) for t in range(int(seconds * 10))]
    warm = 100_000
    memory = [
        {"at": 0.0, "server_kib": 90_000, "children_kib": 0},
        {"at": 10.0, "server_kib": warm, "children_kib": 30_000},
        {"at": seconds, "server_kib": int(warm * (1 + growth)), "children_kib": 30_000},
    ]
    return SimpleNamespace(
        args=SimpleNamespace(bucket_seconds=10.0, warmup_seconds=10.0),
        seconds=seconds,
        samples=[*steady, *samples],
        sockets=list(sockets),
        memory=memory,
        late=0,
    )


def figures(run, tmp_path):  # type: ignore[no-untyped-def]
    return soak.figures(run, tmp_path / "no-server.log")


def test_a_steady_run_passes_with_a_row_per_bucket(tmp_path):
    held = {"at": 5.0, "kind": "notifications", "hold": 30.0, "messages": 0}

    result = figures(run_of(sockets=[held]), tmp_path)

    assert result["passed"]
    assert len(result["buckets"]) == 6 and all(row["requests"] == 100 for row in result["buckets"])
    assert result["memory"]["growth_after_warmup"] == pytest.approx(0.01)
    assert result["sockets"] == {**result["sockets"], "opened": 1, "early_closes": 0}


SOCKET = {"at": 1.0, "hold": 40.0, "messages": 0}


@pytest.mark.parametrize(
    ("damage", "failed"),
    [
        ({"samples": [Sample(at=3.0, kind="comment post", ms=5.0, error="POST /x/: status 429")]}, "errors"),
        (
            {"sockets": [{"at": 1.0, "kind": "comment thread", "hold": 40, "messages": 0, "early_close": 1011}]},
            "early_closes",
        ),
        (
            {"sockets": [{"at": 1.0, "kind": "notifications", "hold": 40, "messages": 0, "error": "InvalidStatus"}]},
            "errors",
        ),
        ({"samples": [Sample(at=45.0, kind="signed-in page", ms=900.0, error=None) for _ in range(5)]}, "p99"),
        ({"growth": 0.06}, "rss"),
    ],
)
def test_each_acceptance_fails_on_its_own(tmp_path, damage, failed):
    result = figures(run_of(**damage), tmp_path)

    assert not result["passed"]
    assert [key for key in ("errors", "early_closes", "p99", "rss") if not result["verdict"][key]] == [failed]


def test_the_soak_section_replaces_only_itself_in_the_results_page(tmp_path):
    bench_page = "# Benchmark results\n\n| target | req/s |\n\n## Notes on this run\n\n- by hand\n"
    section = f"{soak.SECTION_START}\n## Soak (`make soak`)\n\nfirst run\n{soak.SECTION_END}"

    once = soak.replace_section(bench_page, section)
    twice = soak.replace_section(once, section.replace("first run", "second run"))

    assert once.startswith(bench_page.rstrip("\n")) and once.count(soak.SECTION_START) == 1
    assert twice == once.replace("first run", "second run")


def test_the_section_names_the_stack_every_figure_and_the_verdict(tmp_path):
    data = {
        "date": "2026-12-01T20:00:00Z",
        "commit": "abc1234",
        "machine": {"cpu": "a CPU", "cpus": 2, "memory_gib": 8, "os": "Linux", "python": "3.11", "packages": {}},
        "load_average": [1.0, 1.0, 1.0],
        "backend": {"sql": "sqlite x", "cache": "local memory", "documents": "embedded nx-27017"},
        "broker": "filesystem",
        "settings": {
            "minutes": 1,
            "bucket_seconds": 10,
            "warmup_seconds": 10,
            "rate": 15,
            "comment_seconds": 6,
            "sockets": 8,
            "users": 20,
            "worker": True,
            "pinning": "not pinned",
            "comment_rate_limit": 5,
            "comment_rate_window": 60,
        },
        "figures": figures(run_of(), tmp_path),
        "commands": ["make soak SOAK_MINUTES=1"],
    }

    text = soak.render_section(data)

    assert text.startswith(soak.SECTION_START) and text.endswith(soak.SECTION_END)
    assert "**result: PASS**" in text and "acceptance asks for 30" in text
    for figure in ("0:50-1:00", "RSS growth after warm-up", "p99 within 2x", "sqlite x", "make soak SOAK_MINUTES=1"):
        assert figure in text
