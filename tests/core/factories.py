from __future__ import annotations

import factory
from django.utils import timezone

from apps.core.accounts.services import role_grant
from apps.core.models import User

DEFAULT_PASSWORD = "Correct-Horse-42!"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified member. ``UserFactory(roles=["blog_author"])`` grants roles through the service."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    display_name = factory.Faker("name")
    password = factory.django.Password(DEFAULT_PASSWORD)
    email_verified_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create and extracted:
            for role in extracted:
                role_grant(actor=None, user=self, role=role)
