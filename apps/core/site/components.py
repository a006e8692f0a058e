"""The site's components: what the header, the home page and the footer hold.

Each is one ``SiteComponent`` row (by key) whose ``content`` is a small JSON document:

- header: ``{"menu": [{"label", "url", "children": [{"label", "url"}, ...]}, ...]}``
- home:   ``{"sections": <a body of blocks>}``
- footer: ``{"blocks": <a body of blocks>, "links": [{"label", "url"}, ...]}``

:func:`clean_component` validates and normalises one on write (labels are plain text, links
follow the cta block's URL rule, bodies go through ``clean_blocks``). Templates escape labels
and ``render_blocks`` sanitises bodies again on read.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from apps.core.blocks import clean_blocks
from apps.core.blocks.fields import FieldError, PlainText, Run, link_url_problem

HEADER, HOME, FOOTER = "header", "home", "footer"
KEYS = (HEADER, HOME, FOOTER)

MAX_MENU_ITEMS = 8
MAX_MENU_CHILDREN = 10
MAX_FOOTER_LINKS = 12
_LABEL = PlainText(min_length=1, max_length=40)


def clean_component(key: str, content: Any) -> dict[str, Any]:
    """A cleaned copy of the ``content`` of the component ``key``; raises ValidationError listing
    every problem, each naming its item ("Menu item 3: url must start with ...")."""
    cleaners = {HEADER: _clean_header, HOME: _clean_home, FOOTER: _clean_footer}
    if key not in cleaners:
        raise ValidationError(f"Unknown site component {key!r} (use one of: {', '.join(KEYS)}).", code="unknown_key")
    if not isinstance(content, dict):
        raise ValidationError(f"The {key} must be an object.", code="invalid")
    errors: list[str] = []
    cleaned = cleaners[key](content, errors)
    if errors:
        raise ValidationError([ValidationError(message, code="invalid") for message in errors])
    return cleaned


def _check_fields(content: dict[str, Any], allowed: set[str], where: str, errors: list[str]) -> None:
    # A field the component does not have is an error: it is usually a typo that would vanish silently.
    for name in sorted(set(content) - allowed):
        errors.append(f"{where}: unknown field {name!r} (use: {', '.join(sorted(allowed))})")


def _clean_link(raw: Any, where: str, errors: list[str], *, extra: frozenset[str] = frozenset()) -> dict[str, Any]:
    if not isinstance(raw, dict):
        errors.append(f"{where}: must be an object with a label and a url")
        return {}
    _check_fields(raw, {"label", "url"} | set(extra), where, errors)
    link: dict[str, Any] = {}
    try:
        link["label"] = _LABEL.clean(raw.get("label"), Run(slot_names=frozenset()), where)
    except FieldError as exc:
        errors.append(f"{where}: label {'is required' if raw.get('label') is None else exc}")
    url = raw.get("url")
    if not isinstance(url, str) or not url:
        errors.append(f"{where}: url is required")
    elif problem := link_url_problem(url):
        errors.append(f"{where}: url {problem}")
    else:
        link["url"] = url
    return link


def _clean_links(raw: Any, name: str, limit: int, where: str, errors: list[str]) -> list[Any]:
    if not isinstance(raw, list):
        errors.append(f"{where}must be a list")
        return []
    if len(raw) > limit:
        errors.append(f"{where}may hold at most {limit} {name} (it has {len(raw)})")
    return raw[:limit]


def _clean_header(content: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    _check_fields(content, {"menu"}, "Header", errors)
    menu = []
    items = _clean_links(content.get("menu", []), "items", MAX_MENU_ITEMS, "The menu ", errors)
    for position, raw in enumerate(items, start=1):
        where = f"Menu item {position}"
        item = _clean_link(raw, where, errors, extra=frozenset({"children"}))
        children = raw.get("children", []) if isinstance(raw, dict) else []
        children = _clean_links(children, "children", MAX_MENU_CHILDREN, f"{where}: children ", errors)
        item["children"] = [
            _clean_link(child, f"{where}, child {number}", errors) for number, child in enumerate(children, start=1)
        ]
        menu.append(item)
    return {"menu": menu}


def _clean_home(content: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    _check_fields(content, {"sections"}, "Home", errors)
    return {"sections": _clean_body(content.get("sections", []), errors)}


def _clean_footer(content: dict[str, Any], errors: list[str]) -> dict[str, Any]:
    _check_fields(content, {"blocks", "links"}, "Footer", errors)
    links = _clean_links(content.get("links", []), "links", MAX_FOOTER_LINKS, "The footer's links ", errors)
    return {
        "blocks": _clean_body(content.get("blocks", []), errors),
        "links": [_clean_link(link, f"Link {number}", errors) for number, link in enumerate(links, start=1)],
    }


def _clean_body(raw: Any, errors: list[str]) -> list[dict[str, Any]]:
    try:
        return clean_blocks(raw)
    except ValidationError as exc:
        errors.extend(exc.messages)
        return []
