"""No template carries inline CSS: the CSP forbids style attributes and style elements (they would
be blocked in the browser, and a page would silently lose its look), and the design system wants
pages built from components and their classes, not page-local CSS (docs/design-system.md)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

# A style attribute (style="…", style='…' or style=value) or a <style> element, anywhere in the
# markup; Django comments ({# #}, {% comment %}) are removed first, so prose about them is allowed.
STYLE_ATTRIBUTE = re.compile(r"""<[a-zA-Z][^>]*?\sstyle\s*=""", re.DOTALL)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
# A component given a parameter called style (``{% include … style="underline" %}``) reads as inline
# CSS to anyone scanning the markup: components name their looks ``variant``.
STYLE_PARAMETER = re.compile(r"\{%\s*include\b[^%]*?\sstyle\s*=", re.DOTALL)
COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)


def template_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    roots = [base / "templates", *(base / "apps").glob("*/templates"), *(base / "apps").glob("*/*/templates")]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file() and path.suffix in {".html", ".svg", ".txt", ".xml"}
    )


def offences(text: str) -> list[str]:
    text = COMMENTS.sub("", text)
    found = [match.group(0)[:80] for match in STYLE_ATTRIBUTE.finditer(text)]
    found += [match.group(0) for match in STYLE_ELEMENT.finditer(text)]
    found += [match.group(0)[:80] for match in STYLE_PARAMETER.finditer(text)]
    return found


def test_the_checker_finds_style_attributes_and_elements():
    assert offences('<p style="color: red">x</p>')
    assert offences("<div\n  class='a'\n  style='x'>")
    assert offences("<style>p { color: red }</style>")
    assert offences("<STYLE type='text/css'>")
    assert offences('{% include "components/tabs.html" with tabs=tabs style="underline" %}')
    assert not offences('{% include "components/tabs.html" with tabs=tabs variant="underline" %}')
    assert not offences('{# no style="…" here #}<p class="styled">x</p>')
    assert not offences('{% comment %}<style>{% endcomment %}<p data-style="x">')


def test_no_template_has_inline_styles():
    files = template_files()
    assert any(path.name == "base.html" for path in files)

    found = {str(path.relative_to(settings.BASE_DIR)): hits for path in files if (hits := offences(path.read_text()))}

    assert found == {}, found
