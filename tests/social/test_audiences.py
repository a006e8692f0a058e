"""Audiences: groups another app offers as a post's readers through its hook (the LMS offers a
course's learners and a cohort's). Social names no provider: it reads ``registry().audiences``."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.platform import Audience, registry
from apps.core.platform.hooks import AppHook, InstalledHook, _check
from apps.social import audiences, permissions, selectors
from apps.social.forms import PostForm
from apps.social.services import posts as services
from tests.core.factories import UserFactory
from tests.lms.factories import enrol, make_cohort, make_course
from tests.social.factories import ProfileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(db):
    teacher = ProfileFactory(handle="teacher").user
    learner = ProfileFactory(handle="learner").user
    other = ProfileFactory(handle="other").user
    gone = ProfileFactory(handle="gone").user
    course = make_course(owner=teacher, title="Pottery")
    cohort = make_cohort(course)
    enrol(learner, course, cohort=cohort)
    enrol(gone, course, revoked_at=timezone.now())
    return {"teacher": teacher, "learner": learner, "other": other, "gone": gone, "course": course, "cohort": cohort}


def test_the_lms_offers_course_and_cohort_audiences_through_its_hook():
    assert {"lms.course", "lms.cohort"} <= set(registry().audiences)


def test_an_author_is_offered_the_groups_they_belong_to(school):
    teacher_choices = {value for value, _, _ in audiences.audience_choices(school["teacher"])}
    assert teacher_choices == {f"lms.course:{school['course'].pk}", f"lms.cohort:{school['cohort'].pk}"}
    assert audiences.audience_choices(school["other"]) == []
    assert audiences.audience_choices(school["gone"]) == []


def test_the_compose_form_offers_the_groups_by_provider(school):
    form = PostForm(author=school["learner"])
    labels = [label for label, _ in form.fields["visibility"].choices]
    assert "A course's learners" in labels and "A cohort's learners" in labels


@pytest.mark.parametrize("key", ["course", "cohort"])
def test_a_post_to_an_lms_group_is_read_by_its_members_and_teachers_only(school, key, client):
    value = f"lms.{key}:{school[key].pk}"
    post = services.post_create(author=school["learner"], text="Our group", visibility="audience", audience=value)
    for who, reads in (("teacher", True), ("learner", True), ("other", False), ("gone", False)):
        assert permissions.can_see_post(school[who], post) is reads, who
        assert selectors.posts_visible_to(school[who]).filter(pk=post.pk).exists() is reads, who
        client.force_login(school[who])
        assert client.get(reverse("social:post", args=[post.pk])).status_code == (200 if reads else 404)
    assert not permissions.can_see_post(None, post)


def test_an_lms_group_lists_its_members_for_fan_out(school):
    ids = audiences.member_ids(f"lms.cohort:{school['cohort'].pk}")
    assert set(ids) == {school["teacher"].pk, school["learner"].pk}


def test_nobody_posts_to_a_group_they_are_not_in(school):
    value = f"lms.course:{school['course'].pk}"
    with pytest.raises(ValidationError):
        services.post_create(author=school["other"], text="let me in", visibility="audience", audience=value)


def test_a_post_to_a_group_no_app_offers_any_more_is_read_by_its_author_alone(school):
    from apps.social.models import Post

    post = Post.objects.create(author=school["teacher"], text="old", visibility="audience", audience="gone.app:1")
    assert permissions.can_see_post(school["teacher"], post)
    assert not permissions.can_see_post(school["learner"], post)
    assert audiences.audience_label("gone.app:1") == "gone.app:1"


def test_a_malformed_ref_is_nobodys_group(school):
    assert not audiences.is_member(school["learner"], "lms.course:abc")
    assert not audiences.is_member(school["learner"], "lms.course")


def _audience(key: str) -> Audience:
    return Audience(key=key, label="x", choices_for=lambda a: [], is_member=lambda u, r: False, refs_of=lambda u: [])


def test_two_hooks_may_not_declare_one_audience_nor_one_outside_their_app():
    one = InstalledHook("lms", dataclasses.replace(AppHook(), audiences=(_audience("lms.course"),)))
    with pytest.raises(ImproperlyConfigured, match="same audience"):
        _check((one, InstalledHook("lms", one.hook)))
    with pytest.raises(ImproperlyConfigured, match="name it 'social.<noun>'"):
        _check((InstalledHook("social", one.hook),))


def test_a_visitor_belongs_to_no_group():
    assert audiences.memberships(None) == [] and audiences.memberships(UserFactory.build()) == []
