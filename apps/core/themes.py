"""Theme tokens: the values of static/css/site.css's custom properties, validated and rendered.

A theme sets some or all tokens; what it leaves out keeps site.css's default. Colours are
light/dark pairs of hex values, fonts are chosen from system font stacks (nothing is fetched
from another site), lengths are rem or px within bounds. Only values that pass these checks
ever reach the stylesheet, so a theme cannot inject CSS.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

COLOR_TOKENS = (
    "color-primary",
    "color-primary-contrast",
    "color-accent",
    "color-bg",
    "color-surface",
    "color-text",
    "color-muted",
    "color-border",
    "color-success",
    "color-success-bg",
    "color-danger",
    "color-danger-bg",
    "color-warning",
    "color-warning-bg",
    "color-info-bg",
)

FONT_STACKS: dict[str, str] = {
    "system": 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    "humanist": 'Seravek, "Gill Sans Nova", Ubuntu, Calibri, "DejaVu Sans", source-sans-pro, sans-serif',
    "geometric": 'Avenir, Montserrat, Corbel, "URW Gothic", source-sans-pro, sans-serif',
    "serif": 'Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif',
    "old-style": '"Iowan Old Style", "Palatino Linotype", "URW Palladio L", P052, serif',
    "mono": 'ui-monospace, "Cascadia Code", "Source Code Pro", Menlo, Consolas, "DejaVu Sans Mono", monospace',
}
FONT_TOKENS = ("font-body", "font-heading", "font-mono")

# token: (smallest, largest) in rem; px values are compared at 16px to the rem.
LENGTH_TOKENS: dict[str, tuple[float, float]] = {
    "radius": (0, 2),
    "radius-small": (0, 1),
    "font-size-base": (0.75, 1.5),
    "container-width": (40, 120),
}
NUMBER_TOKENS: dict[str, tuple[float, float]] = {"line-height": (1.0, 2.2)}

_HEX = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_LENGTH = re.compile(r"^(\d{1,4}(?:\.\d{1,3})?)(rem|px)$")


def _check_color(token: str, value: Any, errors: list[str]) -> dict[str, str] | None:
    if not isinstance(value, dict) or set(value) != {"light", "dark"}:
        errors.append(f"{token}: give a light and a dark colour, e.g. {{'light': '#2f5bea', 'dark': '#7c9cff'}}.")
        return None
    for mode in ("light", "dark"):
        if not isinstance(value[mode], str) or not _HEX.match(value[mode]):
            errors.append(f"{token}.{mode}: {value[mode]!r} is not a hex colour like #2f5bea.")
            return None
    return {"light": value["light"].lower(), "dark": value["dark"].lower()}


def _check_length(token: str, value: Any, errors: list[str]) -> str | None:
    match = _LENGTH.match(value) if isinstance(value, str) else None
    if match is None:
        errors.append(f"{token}: {value!r} is not a length like 0.5rem or 8px.")
        return None
    amount = float(match.group(1)) / (16 if match.group(2) == "px" else 1)
    low, high = LENGTH_TOKENS[token]
    if not low <= amount <= high:
        errors.append(f"{token}: must be between {low}rem and {high}rem.")
        return None
    return value


def clean_tokens(raw: Any) -> dict[str, Any]:
    """Validate a theme's tokens; returns a new dict or raises ValidationError listing every problem."""
    if not isinstance(raw, dict):
        raise ValidationError("Theme tokens must be an object of token names and values.", code="invalid")
    errors: list[str] = []
    clean: dict[str, Any] = {}
    for token, value in raw.items():
        if token in COLOR_TOKENS:
            checked: Any = _check_color(token, value, errors)
        elif token in FONT_TOKENS:
            checked = value if value in FONT_STACKS else None
            if checked is None:
                errors.append(f"{token}: choose one of {', '.join(FONT_STACKS)}.")
        elif token in LENGTH_TOKENS:
            checked = _check_length(token, value, errors)
        elif token in NUMBER_TOKENS:
            low, high = NUMBER_TOKENS[token]
            ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
            checked = value if ok else None
            if not ok:
                errors.append(f"{token}: must be a number between {low} and {high}.")
        else:
            errors.append(f"{token}: not a theme token.")
            continue
        if checked is not None:
            clean[token] = checked
    if errors:
        raise ValidationError(errors, code="invalid")
    return clean


def render_css(tokens: dict[str, Any]) -> str:
    """The stylesheet that applies cleaned ``tokens`` over site.css's defaults."""
    lines = []
    for token, value in clean_tokens(tokens).items():  # re-checked: stored values are not trusted
        if token in COLOR_TOKENS:
            css = f"light-dark({value['light']}, {value['dark']})"
        elif token in FONT_TOKENS:
            css = FONT_STACKS[value]
        else:
            css = str(value)
        lines.append(f"  --{token}: {css};")
    return ":root {\n" + "\n".join(lines) + "\n}\n" if lines else ""


def token_reference() -> dict[str, Any]:
    """A machine-readable description of the tokens, for the theme editor and the API docs."""
    return {
        "colors": list(COLOR_TOKENS),
        "fonts": {"tokens": list(FONT_TOKENS), "choices": list(FONT_STACKS)},
        "lengths": {token: {"min_rem": low, "max_rem": high} for token, (low, high) in LENGTH_TOKENS.items()},
        "numbers": {token: {"min": low, "max": high} for token, (low, high) in NUMBER_TOKENS.items()},
    }
