"""Text rules: every stored text is NFC; every searchable text also has one folded form."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w]+")


def normalize(text: str | None) -> str:
    """NFC, with runs of white space collapsed and the ends trimmed."""
    if text is None:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def fold(text: str | None) -> str:
    """The one folding function: NFC → đ/Đ → d/D → NFD → drop marks → lower case.

    Punctuation becomes a space so that "Hòa-Đông" and "hoa dong" fold alike.
    Used for storage and for queries, never one without the other.
    """
    text = normalize(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", _NON_WORD.sub(" ", stripped.lower()).replace("_", " ")).strip()
