"""Issue 15's bench parts (bench/social.py) at a tiny size, so they keep working: the same code
`make bench` runs at 5,000 followers, 20,000 posts and 1,000 sockets. No timing is asserted."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from django.conf import settings

from bench import run, social
from tests.faults.conftest import _database_env, _documents_url


@pytest.mark.django_db
def test_push_and_pull_read_the_same_first_page_at_each_size():
    result = social.measure_reads([5, 30], repeats=2, noise=20)

    assert [row["size"] for row in result["rows"]] == [5, 30]
    assert [row["page"] for row in result["rows"]] == [5, 20]  # measure_reads checks both pages are equal
    assert all(row["push_ms"] > 0 and row["pull_ms"] > 0 and row["ratio"] > 0 for row in result["rows"])
    assert isinstance(result["passed"], bool) and result["noise"] == 20


def test_fanout_reaches_every_followers_timeline_and_a_deleted_post_leaves_every_read(celery_worker, settings):
    settings.SOCIAL_FANOUT_BATCH = 4  # three delivery tasks, and three removal tasks
    author, followers = social.fanout_seed(10)

    result = social.measure_fanout(author, followers, timeout=20)

    assert result["all_reached"] and result["reached"] == 10
    assert result["deleted_shown_in_reads"] == 0 and result["reads"] == 10
    assert result["all_purged"] and social.holding([f"social:tl:home:{pk}" for pk in followers], result["post_id"]) == 0


@pytest.fixture
def dm_server_env(transactional_db, tmp_path: Path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A production-mode server on the test's database: the test's Redis when it has one (its
    own key prefix), else the in-memory channel layer (one process serves every socket)."""
    return {
        **_database_env(),
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,  # the sessions below are signed with it
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "STATIC_MANIFEST": "false",
        "HTTPS": "false",
        "CACHE_PREFIX": "bench-dm-test",
        "CELERY_FILESYSTEM_DIR": str(settings.CELERY_FILESYSTEM_DIR),
        "MONGODB_URL": _documents_url(),
        "MONGODB_DB": settings.MONGODB_DB,
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "WARNING",
    }


def test_dm_delivery_times_every_message_at_every_other_members_socket(dm_server_env, tmp_path):
    conversations = social.dm_seed(4, 2)
    sessions = social.sessions_for([user for conversation in conversations for user in conversation[1:]])

    # The harness's own server start (60 s to answer: a busy machine's first import is slow).
    with run.server({**os.environ, **dm_server_env}, [], tmp_path / "server.log", []) as (base, _pid):
        result = asyncio.run(social.dm_run(base, conversations, sessions, messages=6, rate=20, drain=10))

    assert result["sockets"] == 4 and result["conversations"] == 2
    assert result["errors"] == [] and result["unsent"] == 0
    assert result["lost"] == 0 and result["deliveries"] == 6
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert social.dm_verdict([result, result])["p99_growth"] == 1.0


def test_the_only_option_selects_social_parts_by_name():
    assert social.selected_parts(None) == ["fanout", "reads", "dm"]
    assert social.selected_parts("social") == ["fanout", "reads", "dm"]
    assert social.selected_parts("push vs pull") == ["reads"]
    assert social.selected_parts("DM") == ["dm"]
    assert social.selected_parts("post page") == []
    home = next(t for t in run.TARGETS if t.url == "{social_home}")
    assert "social" in home.name and home.session == "{social_home_session}" and home.form is None


def test_a_signed_in_get_target_sends_its_session_cookie_only():
    command = run.wrk_command([], "http://x/social/", cookie=False, seconds=1, connections=1, session="abc")

    assert command[command.index("-H") + 1] == "Cookie: sessionid=abc"
    assert command[command.index("-s") + 1].endswith("report.lua")


def sample_report() -> dict:
    return {
        "fanout": {
            "followers": 5000,
            "post_id": 1,
            "publish_seconds": 0.02,
            "seconds": 1.25,
            "reached": 5000,
            "all_reached": True,
            "deleted_shown_in_reads": 0,
            "reads": 5000,
            "reads_seconds": 20.0,
            "purge_seconds": 1.1,
            "all_purged": True,
            "passed": True,
            "workers": 2,
            "broker": "redis",
            "batch": 500,
        },
        "reads": {
            "rows": [
                {"size": 200, "page": 20, "push_ms": 4.0, "push_p90_ms": 5.0, "push_queries": 9}
                | {"pull_ms": 5.0, "pull_p90_ms": 6.0, "pull_queries": 9, "ratio": 1.25},
                {"size": 20000, "page": 20, "push_ms": 4.4, "push_p90_ms": 5.0, "push_queries": 9}
                | {"pull_ms": 22.0, "pull_p90_ms": 25.0, "pull_queries": 9, "ratio": 5.0},
            ],
            "repeats": 50,
            "authors": 100,
            "noise": 40000,
            "push_growth": 1.1,
            "passed": True,
        },
        "dm": {"skipped": "needs REDIS_URL: the delivery is measured on the Redis channel layer"},
        "commands": ["python -m bench.social --parts fanout,reads,dm"],
    }


def test_the_social_section_says_each_figure_and_its_goal_and_replaces_only_itself(tmp_path):
    markdown = tmp_path / "RESULTS.md"
    soak = "<!-- soak:start (written by make soak) -->\n## Soak\n<!-- soak:end -->"
    markdown.write_text(f"# Benchmark results\n\n{soak}\n")
    section = social.render_section(sample_report(), header=["- date: today"])

    social.write_section(markdown, section)
    social.write_section(markdown, section.replace("1.25 s", "1.50 s"))

    text = markdown.read_text()
    assert text.count("<!-- social:start") == 1 and soak in text and text.startswith("# Benchmark results")
    assert "followers in every home timeline" in text and "1.50 s (5,000 of 5,000) | ≤ 2 s | pass |" in text
    assert "| 20,000 | 4.40 (5.00) | 9 | 22.00 (25.00) | 9 | 5.0x |" in text
    assert "**DM delivery**: skipped: needs REDIS_URL" in text
    assert "python -m bench.social --parts fanout,reads,dm" in text
    assert json.loads(json.dumps(sample_report())) == sample_report()  # the report is plain JSON
    assert "fan-out: 5000 of 5000 home timelines in 1.25 s" in social.summary(sample_report())


def test_the_dm_table_has_a_row_per_socket_count_and_says_the_verdict():
    row = {"sockets": 1000, "open_seconds": 12.5, "open_retries": 2, "conversations": 500, "messages": 200}
    row |= {"rate": 10.0, "deliveries": 200, "lost": 0, "p50_ms": 9.5, "p99_ms": 40.0, "max_ms": 55.0}
    small = row | {"sockets": 10, "conversations": 5, "p99_ms": 20.0, "open_retries": 0}
    report = {**sample_report(), "dm": {**social.dm_verdict([small, row]), "group": 2, "open_files": 4096}}

    text = social.render_section(report, header=[])

    assert "one-to-one conversations" in text
    assert "| 1,000 | 12.5 (2) | 500 | 200 (10) | 200 | 0 | 9.5 | 40.0 | 55.0 |" in text
    assert "(measured 2.00x): **pass**" in text
