"""Text rules: every stored text is NFC; every searchable text also has one folded form."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn"}


def normalize(text: str | None) -> str:
    """NFC, control and invisible characters dropped, runs of white space collapsed, ends trimmed."""
    if text is None:
        return ""
    text = str(text)
    if not text.isprintable():  # printable text holds none of them: nothing to drop
        text = "".join(map(_shown, text))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


@functools.lru_cache(maxsize=8192)
def _shown(ch: str) -> str:
    if ch in "\t\r\n":
        return " "
    return "" if unicodedata.category(ch) in _INVISIBLE else ch


@functools.lru_cache(maxsize=65536)  # communes, legal forms and common words fold again and again
def fold(text: str | None) -> str:
    """The one folding function: NFC → đ/Đ → d/D → NFD → drop marks → lower case.

    Punctuation becomes a space so that "Hòa-Đông" and "hoa dong" fold alike.
    Used for storage and for queries, never one without the other.
    """
    # Letters and decimal digits only: every search engine splits words the same way on the rest.
    return _SPACES.sub(" ", "".join(map(_folded, normalize(text))).lower()).strip()


@functools.lru_cache(maxsize=8192)
def _folded(ch: str) -> str:
    """One character of NFC text, folded (before lower case): a precomposed letter decomposes on its
    own, so folding character by character is folding the whole text, a cache lookup each."""
    if ch in "đĐ":
        return "d"
    return "".join(
        c if unicodedata.category(c).startswith("L") or unicodedata.category(c) == "Nd" else " "
        for c in unicodedata.normalize("NFD", ch)
        if unicodedata.category(c) != "Mn"
    )


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y;
# letters first, tone marks only break ties (none, grave, hook, tilde, acute, dot below).
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}
_BASE_MARKS = {"\u0306": "ă", "\u0302": "^", "\u031b": "'"}


def vietnamese_sort_key(text: str | None) -> str:
    """A plain string whose byte order is Vietnamese alphabetical order (stored, then sorted in SQL)."""
    letters, tones = [], []
    for char in normalize(text).lower():
        letter, tone = _sorted_char(char)
        if letter:
            letters.append(letter)
            tones.append(tone)
    return ("".join(letters) + " " + "".join(tones))[:300]


@functools.lru_cache(maxsize=4096)
def _sorted_char(char: str) -> tuple[str, str]:
    """A lower-case character's letter in the sort key ("" when it is left out) and its tone."""
    decomposed = unicodedata.normalize("NFD", char)
    base, marks = decomposed[0], decomposed[1:]
    tone = next((_TONES[m] for m in marks if m in _TONES), "0")
    shaped = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in _TONES))
    if shaped in _ALPHABET:
        return chr(ord("A") + _ALPHABET.index(shaped)), tone
    if shaped.isdigit():
        return shaped, tone
    if shaped.isspace():
        return "!", tone  # a word break sorts before any letter, after the end of a name
    return "", tone
