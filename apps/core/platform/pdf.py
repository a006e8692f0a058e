"""Text for PDFs made with fpdf2 (the shop's invoices, the LMS's certificates).

fpdf2's built-in fonts speak Latin-1 only, and no font file ships with the site: text outside it
is written with its closest Latin-1 form ("€" as "EUR", curly quotes and dashes as plain ones,
compatibility forms folded by NFKC, anything else as "?"), so an odd name never breaks a document.
"""

from __future__ import annotations

import unicodedata

_PLAIN = str.maketrans({"€": "EUR", "“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "…": "..."})


def latin1(value: object) -> str:
    """``value`` as text fpdf2's built-in fonts can write."""
    text = unicodedata.normalize("NFKC", str(value).translate(_PLAIN))
    return text.encode("latin-1", "replace").decode("latin-1")
