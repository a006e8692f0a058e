"""``{% load components %}``: the design system's tags (templates/components/, docs/design-system.md).

- ``{% widget field class="..." data_x="" %}``: a BoundField's widget with extra attributes
  (underscores become dashes), keeping Django's aria-describedby and aria-invalid.
- ``{{ name|initials }}``: up to two initials, for an avatar without a picture.
- ``{% bar_chart data title=... %}``, ``{% line_chart data title=... %}``, ``{% sparkline data title=... %}``:
  server-rendered SVG charts from a list of (label, value) pairs (``id=`` names it when one page
  shows the same chart twice; otherwise the id comes from its title and data), with a title and description
  for assistive technology and the values in a visually hidden table. Geometry goes in SVG
  attributes and colours come from the CSS custom properties (components.css), so the CSP's ban
  on inline styles holds and a theme recolours them.
- ``{% data_table columns rows caption=... %}``: a responsive table that scrolls in its own box.
- ``{% page_links page %}``: the page numbers (with gaps) for components/pagination.html.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

Pair = tuple[str, float]


@register.simple_tag
def widget(field: BoundField, **attrs: Any) -> SafeString:
    """The field's widget with ``attrs`` added (``data_picker_input=""`` -> ``data-picker-input``)."""
    extra = {name.replace("_", "-"): value for name, value in attrs.items() if value is not None}
    css = extra.pop("class", "")
    own = field.field.widget.attrs.get("class", "")
    if css or own:
        extra["class"] = f"{own} {css}".strip()
    return field.as_widget(attrs=extra)


@register.filter
def initials(name: Any) -> str:
    """'Ada Lovelace' -> 'AL'; 'ada@example.com' -> 'A'; '' -> '?'."""
    words = str(name or "").split("@")[0].replace(".", " ").replace("_", " ").split()
    letters = "".join(word[0] for word in words[:2] if word)
    return letters.upper() or "?"


def _pairs(data: Iterable[Sequence[Any]]) -> list[Pair]:
    pairs = []
    for label, value in data:
        pairs.append((str(label), float(value or 0)))
    return pairs


def _chart_id(kind: str, title: str, pairs: list[Pair]) -> str:
    # Stable for the same chart (a cached page keeps valid ids), distinct for different ones.
    digest = hashlib.blake2b(repr((kind, title, pairs)).encode(), digest_size=5).hexdigest()
    return f"chart-{digest}"


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _nice_max(value: float) -> float:
    """A round top for the scale (1, 2, 2.5, 5 or 10 times a power of ten) at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10 ** len(str(int(value))) / 10
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


@dataclass
class Bar:
    label: str
    value: float
    text: str
    x: float
    y: float
    width: float
    height: float
    label_x: float
    value_y: float


@register.inclusion_tag("components/chart_bar.html")
def bar_chart(
    data: Iterable[Sequence[Any]],
    title: str,
    desc: str = "",
    unit: str = "",
    width: int = 640,
    height: int = 260,
    id: str = "",
) -> dict[str, Any]:
    """Vertical bars, one per (label, value), on a scale from zero to a round maximum."""
    pairs = _pairs(data)
    top, bottom, left, right = 24, 28, 8, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    scale = _nice_max(max((v for _, v in pairs), default=0))
    slot = plot_w / max(len(pairs), 1)
    bar_w = slot * 0.62
    bars = []
    for index, (label, value) in enumerate(pairs):
        bar_h = plot_h * max(value, 0) / scale
        x = left + index * slot + (slot - bar_w) / 2
        bars.append(
            Bar(
                label,
                value,
                f"{_number(value)}{unit}",
                round(x, 2),
                round(top + plot_h - bar_h, 2),
                round(bar_w, 2),
                round(bar_h, 2),
                round(x + bar_w / 2, 2),
                round(top + plot_h - bar_h - 6, 2),
            )
        )
    grid = [{"y": round(top + plot_h * (1 - f), 2), "value": _number(scale * f)} for f in (0, 0.5, 1)]
    return {
        "id": id or _chart_id("bar", title, pairs),
        "title": title,
        "desc": desc,
        "unit": unit,
        "width": width,
        "height": height,
        "bars": bars,
        "grid": grid,
        "left": left,
        "right": width - right,
        "label_y": height - 8,
        "rows": [(b.label, b.text) for b in bars],
    }


def _line(pairs: list[Pair], width: int, height: int, pad: tuple[int, int, int, int]) -> dict[str, Any]:
    top, bottom, left, right = pad
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for _, v in pairs]
    low, high = min(values, default=0), max(values, default=0)
    low = min(low, 0)
    span = (high - low) or 1
    step = plot_w / max(len(pairs) - 1, 1)
    points = [
        (round(left + i * step, 2), round(top + plot_h * (1 - (v - low) / span), 2)) for i, (_, v) in enumerate(pairs)
    ]
    line = " ".join(f"{x},{y}" for x, y in points)
    base = top + plot_h
    area = f"{left},{base} {line} {points[-1][0]},{base}" if points else ""
    return {"points": points, "line": line, "area": area, "base": base}


@register.inclusion_tag("components/chart_line.html")
def line_chart(
    data: Iterable[Sequence[Any]],
    title: str,
    desc: str = "",
    unit: str = "",
    width: int = 640,
    height: int = 220,
    id: str = "",
) -> dict[str, Any]:
    """A line over time (or any order), its area shaded, the first and last labels under it."""
    pairs = _pairs(data)
    shape = _line(pairs, width, height, (16, 28, 8, 8))
    labels = []
    if pairs:
        labels.append({"x": shape["points"][0][0], "text": pairs[0][0], "anchor": "start"})
        if len(pairs) > 1:
            labels.append({"x": shape["points"][-1][0], "text": pairs[-1][0], "anchor": "end"})
    return {
        "id": id or _chart_id("line", title, pairs),
        "title": title,
        "desc": desc,
        "width": width,
        "height": height,
        "sparkline": False,
        "labels": labels,
        "label_y": height - 8,
        "left": 8,
        "right": width - 8,
        "rows": [(label, f"{_number(value)}{unit}") for label, value in pairs],
        **shape,
    }


@register.inclusion_tag("components/chart_sparkline.html")
def sparkline(
    data: Iterable[Sequence[Any]], title: str, desc: str = "", unit: str = "", id: str = ""
) -> dict[str, Any]:
    """A word-sized line with no axes, for a stat tile or a table cell."""
    pairs = _pairs(data)
    width, height = 120, 32
    return {
        "id": id or _chart_id("spark", title, pairs),
        "title": title,
        "desc": desc,
        "width": width,
        "height": height,
        "sparkline": True,
        "labels": [],
        "rows": [(label, f"{_number(value)}{unit}") for label, value in pairs],
        **_line(pairs, width, height, (3, 3, 2, 2)),
    }


@register.inclusion_tag("components/data_table.html")
def data_table(
    columns: Sequence[Any], rows: Iterable[Sequence[Any]], caption: str = "", striped: bool = False
) -> dict[str, Any]:
    """``columns``: labels, or dicts ``{"label": ..., "num": True}`` for right-aligned numbers;
    ``rows``: sequences of cells in the columns' order (a cell may be SafeString for a link)."""
    heads = [c if isinstance(c, dict) else {"label": c, "num": False} for c in columns]
    body = [
        [{"value": cell, "num": heads[i].get("num", False) if i < len(heads) else False} for i, cell in enumerate(row)]
        for row in rows
    ]
    return {"heads": heads, "rows": body, "caption": caption, "striped": striped}


@register.simple_tag
def page_links(page: Any, on_each_side: int = 2, on_ends: int = 1) -> list[Any]:
    """Page numbers around ``page`` with None for each gap (Paginator.get_elided_page_range)."""
    numbers = page.paginator.get_elided_page_range(page.number, on_each_side=on_each_side, on_ends=on_ends)
    return [None if n == page.paginator.ELLIPSIS else n for n in numbers]
