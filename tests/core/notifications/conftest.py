from __future__ import annotations

import pytest

from apps.core.notifications.registry import Email, NotificationKind, register, unregister


@pytest.fixture
def ping_kind():
    """A kind of the tests' own (core's tests name no domain): shown in the app, no email."""
    kind = register(
        NotificationKind(
            name="tests.ping",
            label="Pings",
            description="Someone pinged you.",
            template="{actors} pinged you about “{target}”",
            template_many="{actors} pinged you {count} times about “{target}”",
        )
    )
    yield kind
    unregister(kind.name)


@pytest.fixture
def mail_kind():
    kind = register(
        NotificationKind(
            name="tests.mail",
            label="Mailed pings",
            description="Pings that are emailed at once.",
            template="{actors} mailed you about “{target}”",
            email=Email.INSTANT,
        )
    )
    yield kind
    unregister(kind.name)


def ping(recipient, actor, *, group="thing:1", kind="tests.ping", label="The thing"):  # type: ignore[no-untyped-def]
    from apps.core.notifications.services import notify

    return notify(
        recipient_id=recipient.pk,
        kind=kind,
        group=group,
        target_url="/things/1/#part-2",
        target_label=label,
        actor_id=actor.pk if actor else None,
    )
