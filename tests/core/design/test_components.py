"""The design system's components and tags (templates/components/, apps/core/templatetags/components.py)."""

from __future__ import annotations

import re

from django import forms
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string


class ExampleForm(forms.Form):
    title = forms.CharField(help_text="At most 80 characters.")
    email = forms.EmailField()
    agree = forms.BooleanField(label="I agree")


def render(source: str, **context) -> str:
    return Template("{% load components %}" + source).render(Context(context))


def test_a_field_shows_its_label_without_a_colon_its_help_and_its_errors_wired_to_the_input():
    form = ExampleForm(data={"title": "", "email": "x"})
    form.is_valid()

    html = render_to_string("components/field.html", {"field": form["title"]})

    assert '<label class="field__label" for="id_title">Title</label>' in html
    assert 'id="id_title_helptext"' in html and "At most 80 characters." in html
    assert '<ul class="errorlist" id="id_title_error"><li>This field is required.</li></ul>' in html
    field_input = re.search(r"<input[^>]*>", html).group(0)
    assert 'aria-describedby="id_title_helptext id_title_error"' in field_input
    assert 'aria-invalid="true"' in field_input
    assert "field--invalid" in html


def test_a_field_without_errors_names_only_its_help():
    html = render_to_string("components/field.html", {"field": ExampleForm()["title"]})

    assert 'aria-describedby="id_title_helptext"' in html and "aria-invalid" not in html
    assert "errorlist" not in html


def test_a_checkbox_comes_before_its_label():
    html = render_to_string("components/field.html", {"field": ExampleForm()["agree"]})

    assert "field--checkbox" in html
    assert html.index('type="checkbox"') < html.index('<label class="field__label" for="id_agree">I agree</label>')


def test_django_rendered_forms_lose_the_trailing_colon_everywhere():
    form = ExampleForm()

    assert '<label for="id_title">Title</label>' in str(form["title"].as_field_group())
    assert "Title:" not in form.as_div() and "Email:" not in str(form)


def test_the_admin_keeps_its_own_labels(admin_client):
    # The admin renders fields with its own templates (its forms are not affected by ours).
    assert admin_client.get("/admin/core/user/add/").status_code == 200


def test_a_bar_chart_is_an_accessible_svg_with_its_values_in_a_table():
    html = render(
        '{% bar_chart data title="Posts per month" desc="Six months" unit=" posts" %}',
        data=[("Jul", 10), ("Aug", 20), ("Sep", 0)],
    )

    svg = re.search(r"<svg[^>]*>", html).group(0)
    assert 'role="img"' in svg and 'viewBox="0 0 640 260"' in svg
    chart_id = re.search(r'aria-labelledby="(chart-[0-9a-f]+)-title \1-desc"', svg).group(1)
    assert f'<title id="{chart_id}-title">Posts per month</title>' in html
    assert f'<desc id="{chart_id}-desc">Six months</desc>' in html
    bars = re.findall(r'<rect class="chart__bar" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', html)
    assert len(bars) == 3
    assert float(bars[1][1]) > float(bars[0][1]) > float(bars[2][1]) == 0
    assert '<th scope="row">Aug</th><td>20 posts</td>' in html
    assert 'class="visually-hidden"' in html and "style=" not in html


def test_a_line_chart_and_a_sparkline_draw_one_point_per_value():
    data = [("Mon", 1), ("Tue", 3), ("Wed", 2)]

    line = render('{% line_chart data title="Readers" %}', data=data)
    spark = render('{% sparkline data title="Readers" id="readers" %}', data=data)

    points = re.search(r'<polyline class="chart__line" points="([^"]+)"', line).group(1).split()
    assert len(points) == 3
    assert 'aria-labelledby="readers-title readers-desc"' in spark and "chart--sparkline" in spark
    assert "<figure" not in spark and '<desc id="readers-desc">Mon: 1, Tue: 3, Wed: 2</desc>' in spark


def test_a_chart_with_no_data_still_renders():
    assert "<svg" in render('{% bar_chart data title="Nothing yet" %}', data=[])
    assert "<svg" in render('{% line_chart data title="Nothing yet" %}', data=[])


def test_the_data_table_scrolls_in_its_own_labelled_region():
    html = render(
        '{% data_table columns rows caption="Orders" %}',
        columns=["Order", {"label": "Total", "num": True}],
        rows=[["#1", "€10"]],
    )

    assert '<div class="table-wrap" tabindex="0" role="region" aria-label="Orders">' in html
    assert '<th scope="col" class="num">Total</th>' in html and '<td class="num">€10</td>' in html


def test_pagination_marks_the_current_page_and_elides_long_runs():
    page = Paginator(range(200), 10).page(10)

    html = render_to_string("components/pagination.html", {"page": page, "query": "tag=x&"})

    assert 'href="?tag=x&amp;page=10" aria-current="page"' in html
    assert 'href="?tag=x&amp;page=9" rel="prev"' in html and "…" in html
    assert render_to_string("components/pagination.html", {"page": Paginator(range(3), 10).page(1)}).strip() == ""


def test_buttons_render_as_buttons_or_links():
    button = render_to_string("components/button.html", {"label": "Delete", "variant": "danger", "disabled": True})
    link = render_to_string("components/button.html", {"label": "Write", "href": "/blog/write/", "size": "small"})

    assert button.strip() == '<button type="submit" class="button button--danger" disabled>Delete</button>'
    assert link.strip() == '<a class="button button--small" href="/blog/write/">Write</a>'


def test_an_avatar_without_a_picture_shows_initials():
    html = render_to_string("components/avatar.html", {"name": "Ada Lovelace"})

    assert 'role="img" aria-label="Ada Lovelace">AL</span>' in html
    assert render("{{ name|initials }}", name="grace.hopper@example.com") == "GH"
    assert render("{{ name|initials }}", name="") == "?"


def test_the_image_picker_is_a_real_file_input_with_a_preview():
    class CoverForm(forms.Form):
        cover = forms.ImageField(help_text="JPEG or PNG.")

    html = render_to_string("components/image_picker.html", {"field": CoverForm()["cover"], "current_url": "/m/a.png"})

    file_input = re.search(r'<input type="file"[^>]*>', html).group(0)
    assert 'class="picker__input"' in file_input and "data-picker-input" in file_input
    assert 'accept="image/*"' in file_input and 'aria-describedby="id_cover_helptext"' in file_input
    assert '<img src="/m/a.png" alt="Current image">' in html


def test_toasts_keep_the_classes_site_js_uses_and_errors_do_not_fade():
    error = render_to_string("components/toast.html", {"text": "No.", "tone": "error"})
    success = render_to_string("components/toast.html", {"text": "Yes.", "tone": "success"})

    assert 'class="message message--error"' in error and "data-autodismiss" not in error
    assert "data-autodismiss" in success and 'class="message__close" data-dismiss' in success


def test_djangos_messages_become_toasts_in_the_region_site_js_reports_to():
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message

    messages = [Message(constants.SUCCESS, "Saved."), Message(constants.ERROR, "Refused.", extra_tags="wide")]

    html = render_to_string(
        "_messages.html", {"messages": messages, "DEFAULT_MESSAGE_LEVELS": constants.DEFAULT_LEVELS}
    )

    assert 'id="messages"' in html and 'role="status"' in html
    shown, copied = html.split('<template id="error-toast">')
    success, error = shown.split('<div class="message ')[1:]
    assert success.startswith('message--success"') and "data-autodismiss" in success
    assert error.startswith('message--error wide"') and "data-autodismiss" not in error
    # The toast site.js copies for a failed htmx request is the component's, and stays until closed.
    assert '<div class="message message--error">' in copied and "data-autodismiss" not in copied


def test_the_image_picker_keeps_the_widgets_own_accept_list():
    class AvatarForm(forms.Form):
        avatar = forms.FileField(widget=forms.FileInput(attrs={"accept": "image/png,image/webp"}))

    html = render_to_string("components/image_picker.html", {"field": AvatarForm()["avatar"]})

    assert 'accept="image/png,image/webp"' in html and "No file chosen" in html


def test_a_field_that_takes_images_becomes_an_image_picker():
    class CoverForm(forms.Form):
        cover = forms.ImageField(widget=forms.FileInput)
        attachment = forms.FileField()

    form = CoverForm()

    assert "data-picker" in render_to_string("components/field.html", {"field": form["cover"]})
    assert "data-picker" not in render_to_string("components/field.html", {"field": form["attachment"]})
