"""App hooks: a domain plugs in through its ``platform.py`` alone, and core names no domain."""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from apps.core.accounts import roles
from apps.core.accounts.roles import RoleName, RoleSpec, build_hierarchy
from apps.core.models import Role
from apps.core.platform.hooks import AppHook, InstalledHook, Mount, _check, registry
from tests.utils import run_with_hookapp


def test_a_tiny_domain_app_contributes_everything_through_its_hook_alone():
    # A process of its own: the registry and the urlconf are built once, at startup, from
    # INSTALLED_APPS; tests/hookapp/settings.py is config.settings plus the app, nothing else.
    run_with_hookapp("tests/hookapp/checks.py")


def _allowed(hit: str) -> bool:
    path, _, text = hit.split(":", 2)
    text = text.strip()
    # INSTALLED_APPS is the one place core or config may name the blog.
    return path == "config/settings.py" and text == '"apps.blog",'


def test_core_and_config_name_no_domain_but_in_installed_apps():
    result = subprocess.run(
        # "blog" where a word starts, so a library's name that only contains it (Twisted's
        # STDLibLogObserver) is no hit, while blog_admin or apps.blog still are.
        [
            "grep",
            "-rniIE",
            "(^|[^a-z])blog",
            "apps/core",
            "config",
            "--exclude-dir=migrations",
            "--exclude-dir=__pycache__",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    hits = result.stdout.splitlines()

    assert [hit for hit in hits if not _allowed(hit)] == []
    assert [hit.split(":", 2)[2].strip() for hit in hits if "apps.blog" in hit] == ['"apps.blog",']


def test_the_blogs_roles_come_from_its_own_hook():
    blog = next(installed.hook for installed in registry().hooks if installed.app == "blog")

    assert [spec.name for spec in blog.roles] == ["blog_admin", "blog_author"]
    assert not {"blog_admin", "blog_author"} & set(RoleName.values)
    assert roles.names() == [
        "super_admin",
        "admin",
        "instructor",
        "shop_owner",
        "blog_admin",
        "blog_author",
        "student",
        "user",
    ]
    assert roles.get("blog_admin").dashboard == "blog" and roles.label("blog_author") == "Blog author"


def test_a_hook_role_without_a_row_gets_one_after_migrate(db):
    Role.objects.filter(name="blog_author").delete()

    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)

    assert Role.objects.filter(name="blog_author").count() == 1


def test_a_role_naming_an_unknown_parent_or_taken_twice_refuses_to_start():
    with pytest.raises(ImproperlyConfigured, match="unknown parent role 'wizard'"):
        build_hierarchy([RoleSpec("apprentice", "Apprentice", "Learns.", parents=("wizard",))])
    with pytest.raises(ImproperlyConfigured, match="'admin' is declared twice"):
        build_hierarchy([RoleSpec("admin", "Admin again", "Twice.")])


def test_hooks_claiming_a_taken_sitemap_section_or_address_or_a_bad_prefix_refuse_to_start():
    one, two = AppHook(sitemaps={"posts": object}), AppHook(sitemaps={"posts": object})  # type: ignore[dict-item]
    with pytest.raises(ImproperlyConfigured, match="same sitemap section: posts"):
        _check((InstalledHook("one", one), InstalledHook("two", two)))
    with pytest.raises(ImproperlyConfigured, match="same sitemap section: pages"):
        _check((InstalledHook("one", AppHook(sitemaps={"pages": object})),))  # type: ignore[dict-item]
    with pytest.raises(ImproperlyConfigured, match="relative prefix"):
        _check((InstalledHook("one", AppHook(pages=(Mount("/shop", "shop.urls"),))),))
    with pytest.raises(ImproperlyConfigured, match="which core's own pages use"):
        _check((InstalledHook("one", AppHook(pages=(Mount("accounts/", "shop.urls"),))),))


def test_the_demo_header_and_home_take_the_blogs_parts_from_its_hook():
    from apps.core.management.commands.seed_demo import demo_components

    components = demo_components()

    assert components["header"]["menu"][0] == {"label": "Blog", "url": "/blog/"}
    headings = [block.get("text") for block in components["home"]["sections"] if block["type"] == "heading"]
    assert "From the blog" in headings


def test_notification_kinds_are_named_under_their_app_and_once():
    from apps.core.notifications import NotificationKind

    def kind(name: str) -> NotificationKind:
        return NotificationKind(name=name, label="Shipped", description="", template="{actors} shipped it")

    _check((InstalledHook("shop", AppHook(notification_kinds=(kind("shop.order_shipped"),))),))
    with pytest.raises(ImproperlyConfigured, match="name it 'shop.<noun>'"):
        _check((InstalledHook("shop", AppHook(notification_kinds=(kind("lms.lesson_released"),))),))
    with pytest.raises(ImproperlyConfigured, match="same notification kind: shop.order_shipped"):
        twice = AppHook(notification_kinds=(kind("shop.order_shipped"), kind("shop.order_shipped")))
        _check((InstalledHook("shop", twice),))
