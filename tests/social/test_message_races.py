"""Races on PostgreSQL (threads released together, each on its own connection, so the
database's own locking decides): two people starting their one-to-one conversation at once make
one conversation; sends racing leave the newest as the conversation's last; read receipts racing
only move forward."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from apps.social.models import Conversation, Participant
from apps.social.services import messages as services
from tests.commerce.test_races import TIMEOUT, race_env, signed_in  # noqa: F401 (the fixture)
from tests.faults.conftest import production_env  # noqa: F401 (the fixture)
from tests.social.factories import conversation_between, follow, person
from tests.utils import daphne_server, race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the races run on PostgreSQL (CI does)"),
    pytest.mark.django_db(transaction=True),
]


def test_two_people_starting_the_same_conversation_at_once_make_one():
    ana, ben = person("ana"), person("ben")
    follow(ana, ben)
    follow(ben, ana)
    starts = [(ana, ben), (ben, ana)] * 4  # eight clicks, from both sides, at the same moment

    results = race(lambda i: services.conversation_start(starter=starts[i][0], others=[starts[i][1]]).pk, len(starts))

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert len(set(results)) == 1
    assert Conversation.objects.count() == 1
    assert Participant.objects.filter(conversation_id=results[0]).count() == 2


def test_restarting_a_left_conversation_at_once_brings_each_back_once():
    ana, ben = person("ana"), person("ben")
    conversation = conversation_between(ana, ben)
    services.conversation_leave(user=ana, conversation=conversation)
    services.conversation_leave(user=ben, conversation=conversation)
    starts = [(ana, ben), (ben, ana)] * 3

    results = race(lambda i: services.conversation_start(starter=starts[i][0], others=[starts[i][1]]).pk, len(starts))

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert set(results) == {conversation.pk}
    assert Participant.objects.filter(conversation=conversation, left_at__isnull=True).count() == 2


def test_sends_racing_leave_the_newest_message_as_the_conversations_last(monkeypatch):
    monkeypatch.setattr(services, "SEND_LIMIT", 1000)
    people = [person() for _ in range(6)]
    group = conversation_between(people[0], *people[1:])

    results = race(lambda i: services.message_send(sender=people[i], conversation=group, body=f"m{i}").pk, 6)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Conversation.objects.get(pk=group.pk).last_message_id == max(results)


def test_read_receipts_racing_only_move_forward(monkeypatch):
    monkeypatch.setattr(services, "SEND_LIMIT", 1000)
    ana, ben = person("ana"), person("ben")
    pair = conversation_between(ana, ben)
    sent = [services.message_send(sender=ana, conversation=pair, body=str(i)).pk for i in range(6)]

    results = race(lambda i: services.conversation_mark_read(user=ben, conversation=pair, message_id=sent[i]), 6)

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Participant.objects.get(conversation=pair, user=ben).last_read_message_id == sent[-1]


def test_two_people_clicking_message_on_each_other_over_http_open_one_conversation(race_env, tmp_path: Path):  # noqa: F811
    # Real requests against a production-mode daphne: each view in its own transaction, as served.
    ana, ben = person("ana"), person("ben")
    follow(ana, ben)
    follow(ben, ana)
    clicks = [(signed_in(ana), "ben"), (signed_in(ben), "ana")] * 3

    with daphne_server(race_env, tmp_path / "daphne.log") as url:

        def start(index: int) -> str:
            browser, handle = clicks[index]
            form = {"to": handle, "body": f"hello {index}"}
            answer = browser.post(url + "/social/messages/new/", form, timeout=TIMEOUT, allow_redirects=False)
            assert answer.status_code == 302, answer.text[:500]
            return answer.headers["Location"]

        answers = race(start, len(clicks))

    assert not [a for a in answers if isinstance(a, BaseException)], answers
    conversation = Conversation.objects.get()
    assert set(answers) == {f"/social/messages/{conversation.pk}/"}
    assert conversation.messages.count() == len(clicks)  # every first message landed, in the one conversation
