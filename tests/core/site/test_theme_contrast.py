"""The theme editor refuses a palette whose text fails WCAG AA contrast (apps/core/site/themes.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.core.models import Theme
from apps.core.site.themes import CONTRAST_PAIRS, DEFAULTS, clean_tokens, contrast_ratio, render_css
from tests.core.site.test_theme_editor import form_data


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#fff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the classic AA grey


def test_the_default_palette_passes_aa_in_both_schemes():
    for fore, back, needed in CONTRAST_PAIRS:
        for mode in ("light", "dark"):
            assert contrast_ratio(DEFAULTS[fore][mode], DEFAULTS[back][mode]) >= needed, (fore, back, mode)
    assert clean_tokens({}) == {}


def test_light_grey_text_is_refused_naming_the_pair_and_the_ratio():
    with pytest.raises(ValidationError) as caught:
        clean_tokens({"color-text": {"light": "#aaaaaa", "dark": DEFAULTS["color-text"]["dark"]}})

    message = " ".join(caught.value.messages)
    assert "color-text on color-bg (light)" in message and "2.19:1" in message and "4.5:1" in message
    assert "(dark)" not in message


def test_a_dark_scheme_background_is_checked_against_the_default_text():
    # Only the background changes: the text it meets keeps its default and the pair is still checked.
    with pytest.raises(ValidationError, match=r"color-text on color-bg \(dark\)"):
        clean_tokens({"color-bg": {"light": DEFAULTS["color-bg"]["light"], "dark": "#c0c0c0"}})


def test_a_primary_button_label_must_read_on_the_primary_colour():
    with pytest.raises(ValidationError, match="color-primary-contrast on color-primary"):
        clean_tokens({"color-primary-contrast": {"light": "#5577ff", "dark": "#0d1020"}})


def test_a_readable_palette_is_accepted():
    tokens = {"color-primary": {"light": "#c0392b", "dark": "#ff8a80"}}

    assert clean_tokens(tokens) == tokens


def test_a_stored_theme_saved_before_the_rule_still_renders():
    css = render_css({"color-text": {"light": "#aaaaaa", "dark": "#e7e9f0"}})

    assert "--color-text: light-dark(#aaaaaa, #e7e9f0);" in css


def test_the_theme_editor_shows_the_contrast_error_and_saves_nothing(client_for, user_with_role):
    client = client_for(user_with_role("admin"))

    response = client.post("/admin/core/theme/add/", form_data("Faint", 0, **{"color-muted__light": "#c8c8c8"}))

    assert response.status_code == 200
    assert "color-muted on color-bg (light): contrast" in response.content.decode()
    assert not Theme.objects.filter(name="Faint").exists()
