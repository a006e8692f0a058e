import pytest

from apps.social import demo_people, relations
from apps.social.models import Conversation, Follow, Message, Profile
from tests.core.factories import UserFactory
from tests.social.factories import ProfileFactory

pytestmark = pytest.mark.django_db

EMAILS = ("student@test.com", "instructor@test.com", "shopowner@test.com", "author@test.com", "admin@test.com")


@pytest.fixture
def people(db):  # type: ignore[no-untyped-def]
    return [ProfileFactory(user=UserFactory(email=email)).user for email in EMAILS]


def test_the_demo_people_follow_each_other_share_a_group_and_one_is_private(people):
    messages_written: list[str] = []
    demo_people.seed_people(people, write=messages_written.append)
    found = {user.email: user for user in people}
    private, student, instructor = found["author@test.com"], found["student@test.com"], found["instructor@test.com"]
    assert Profile.objects.get(user=private).locked
    assert relations.follows(student, private)  # approved
    assert relations.follow_state(instructor, private) == "pending"  # waiting on the requests page
    assert not relations.follows(found["admin@test.com"], private)
    assert relations.follows(private, student) and relations.follows(instructor, found["shopowner@test.com"])
    group = Conversation.objects.get(title=demo_people.GROUP_TITLE)
    assert group.participants.count() == 3
    assert Message.objects.filter(conversation=group).count() == len(demo_people.GROUP_MESSAGES)
    assert any("group conversation" in line for line in messages_written)


def test_seeding_the_demo_people_twice_changes_nothing(people):
    demo_people.seed_people(people, write=lambda _: None)
    before = (Follow.objects.count(), Conversation.objects.count(), Message.objects.count())
    demo_people.seed_people(people, write=lambda _: None)
    assert (Follow.objects.count(), Conversation.objects.count(), Message.objects.count()) == before
