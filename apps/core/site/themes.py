"""Theme tokens: the values of static/css/site.css's custom properties, validated and rendered.

A theme sets some or all tokens; what it leaves out keeps site.css's default. Colours are
light/dark pairs of hex values, fonts are chosen from system font stacks (nothing is fetched
from another site), lengths are rem or px within bounds. Only values that pass these checks
ever reach the stylesheet, so a theme cannot inject CSS.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError

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


# The colour pairs that meet as text on its background (or, for the accent, as a mark on a card),
# with the contrast WCAG 2.x level AA asks of them: 4.5:1 for text, 3:1 for non-text marks
# (focus rings, chart series). Each pair is checked in the light and in the dark scheme.
CONTRAST_PAIRS: tuple[tuple[str, str, float], ...] = (
    ("color-text", "color-bg", 4.5),
    ("color-text", "color-surface", 4.5),
    ("color-text", "color-info-bg", 4.5),
    ("color-muted", "color-bg", 4.5),
    ("color-muted", "color-surface", 4.5),
    ("color-primary", "color-bg", 4.5),  # links
    ("color-primary", "color-surface", 4.5),
    ("color-primary-contrast", "color-primary", 4.5),  # a primary button's label
    ("color-success", "color-success-bg", 4.5),
    ("color-danger", "color-danger-bg", 4.5),
    ("color-danger", "color-surface", 4.5),  # a field's error under it
    ("color-warning", "color-warning-bg", 4.5),
    ("color-accent", "color-surface", 3.0),
)


def _luminance(hex_colour: str) -> float:
    """Relative luminance (WCAG 2.x) of #rgb or #rrggbb."""
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two hex colours, from 1 (same) to 21 (black on white)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def contrast_problems(tokens: dict[str, Any]) -> list[str]:
    """A sentence per pair of ``tokens`` (over the defaults) below its AA contrast, in either scheme."""
    colours = {**DEFAULTS, **tokens}
    problems = []
    for fore, back, needed in CONTRAST_PAIRS:
        for mode in ("light", "dark"):
            ratio = contrast_ratio(colours[fore][mode], colours[back][mode])
            if ratio < needed:
                problems.append(
                    f"{fore} on {back} ({mode}): contrast {ratio:.2f}:1 is below the {needed:g}:1 "
                    f"WCAG AA asks for; make one of them lighter or darker."
                )
    return problems


def clean_tokens(raw: Any, *, check_contrast: bool = True) -> dict[str, Any]:
    """Validate a theme's tokens; returns a new dict or raises ValidationError listing every problem.

    ``check_contrast`` refuses a palette whose text would be hard to read (CONTRAST_PAIRS, over the
    defaults for the tokens a theme leaves out). Rendering a stored theme skips it: a theme saved
    before the rule existed must still style the site until someone edits it.
    """
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
    if not errors and check_contrast:
        errors.extend(contrast_problems(clean))
    if errors:
        raise ValidationError(errors, code="invalid")
    return clean


def render_css(tokens: dict[str, Any]) -> str:
    """The stylesheet that applies cleaned ``tokens`` over site.css's defaults."""
    lines = []
    for token, value in clean_tokens(tokens, check_contrast=False).items():  # re-checked: stored values are not trusted
        if token in COLOR_TOKENS:
            css = f"light-dark({value['light']}, {value['dark']})"
        elif token in FONT_TOKENS:
            css = FONT_STACKS[value]
        else:
            css = str(value)
        lines.append(f"  --{token}: {css};")
    return ":root {\n" + "\n".join(lines) + "\n}\n" if lines else ""


# site.css's own values: what a token shows until a theme sets it (a test keeps them in step).
DEFAULTS: dict[str, Any] = {
    "color-primary": {"light": "#2f5bea", "dark": "#7c9cff"},
    "color-primary-contrast": {"light": "#ffffff", "dark": "#0d1020"},
    "color-accent": {"light": "#0f9d84", "dark": "#3cc7ab"},
    "color-bg": {"light": "#f7f8fb", "dark": "#0f121a"},
    "color-surface": {"light": "#ffffff", "dark": "#171b26"},
    "color-text": {"light": "#1b2030", "dark": "#e7e9f0"},
    "color-muted": {"light": "#5b6478", "dark": "#9aa3b8"},
    "color-border": {"light": "#dfe3ec", "dark": "#2a3142"},
    "color-success": {"light": "#147a3d", "dark": "#6fd69a"},
    "color-success-bg": {"light": "#e5f5eb", "dark": "#11301f"},
    "color-danger": {"light": "#b3261e", "dark": "#ff8a80"},
    "color-danger-bg": {"light": "#fbe9e7", "dark": "#3a1512"},
    "color-warning": {"light": "#8a5a00", "dark": "#ffd27a"},
    "color-warning-bg": {"light": "#fff4d6", "dark": "#3a2c0a"},
    "color-info-bg": {"light": "#e8eefc", "dark": "#1b2542"},
    "font-body": "system",
    "font-heading": "system",
    "font-mono": "mono",
    "radius": "0.5rem",
    "radius-small": "0.3rem",
    "font-size-base": "1.125rem",
    "container-width": "72rem",
    "line-height": 1.6,
}


def token_reference() -> dict[str, Any]:
    """A machine-readable description of the tokens, for the theme editor and the API docs."""
    return {
        "colors": list(COLOR_TOKENS),
        "fonts": {"tokens": list(FONT_TOKENS), "choices": list(FONT_STACKS)},
        "lengths": {token: {"min_rem": low, "max_rem": high} for token, (low, high) in LENGTH_TOKENS.items()},
        "numbers": {token: {"min": low, "max": high} for token, (low, high) in NUMBER_TOKENS.items()},
    }


_LIVE_SALT = "core.theme.live-preview"


def live_stylesheet_token(*, tokens: dict[str, Any], user: Any) -> str:
    """Signed, unsaved theme values for the live preview's stylesheet, usable by ``user`` alone."""
    return signing.dumps({"t": tokens, "u": user.pk}, salt=_LIVE_SALT, compress=True)


def live_stylesheet_tokens(*, token: str, user: Any) -> dict[str, Any]:
    """The theme values a live-preview token carries; PermissionDenied for anyone else or when stale."""
    try:
        data = signing.loads(token, salt=_LIVE_SALT, max_age=settings.PREVIEW_MAX_AGE)
    except signing.BadSignature:
        raise PermissionDenied("This preview link is not valid or has expired.") from None
    if not getattr(user, "is_authenticated", False) or data.get("u") != user.pk:
        raise PermissionDenied("This preview link is not for you.")
    return clean_tokens(data["t"], check_contrast=False)  # a preview may show what would be refused
