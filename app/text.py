"""Text rules: every stored text is NFC; every searchable text also has one folded form."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def normalize(text: str | None) -> str:
    """NFC, control and invisible characters dropped, runs of white space collapsed, ends trimmed."""
    if text is None:
        return ""
    text = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in str(text)
        if ch in "\t\r\n" or unicodedata.category(ch) not in _INVISIBLE
    )
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str | None) -> str:
    """The one folding function: NFC → đ/Đ → d/D → NFD → drop marks → lower case.

    Punctuation becomes a space so that "Hòa-Đông" and "hoa dong" fold alike.
    Used for storage and for queries, never one without the other.
    """
    text = normalize(text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    # Letters and decimal digits only: every search engine splits words the same way on the rest.
    kept = "".join(
        ch if unicodedata.category(ch).startswith("L") or unicodedata.category(ch) == "Nd" else " "
        for ch in decomposed
        if unicodedata.category(ch) != "Mn"
    )
    return _SPACES.sub(" ", kept.lower()).strip()


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y;
# letters first, tone marks only break ties (none, grave, hook, tilde, acute, dot below).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_BASE_MARKS = {"\u0306": "ă", "\u0302": "^", "\u031b": "'"}


def vietnamese_sort_key(text: str | None) -> str:
    """A plain string whose byte order is Vietnamese alphabetical order (stored, then sorted in SQL)."""
    letters, tones = [], []
    for char in normalize(text).lower():
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        tone = next((_TONES[m] for m in marks if m in _TONES), "0")
        shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in _TONES))
        if shaped in _ALPHABET:
            letters.append(chr(ord("A") + _ALPHABET.index(shaped)))
        elif shaped.isdigit():
            letters.append(shaped)
        elif shaped.isspace():
            letters.append("!")  # a word break sorts before any letter, after the end of a name
        else:
            continue
        tones.append(tone)
    return ("".join(letters) + " " + "".join(tones))[:300]
