"""The searchable text of an enterprise and the terms of a query, made by the same rules.

Both go through `fold`; legal-form words ("công ty", "TNHH", "cổ phần", "hợp tác xã", "chi
nhánh" …) are removed from both, because the legal form is a facet, not a search term.
"""

from __future__ import annotations

import re

from app.text import fold

LEGAL_FORM_PHRASES = sorted(
    {
        "cong ty trach nhiem huu han",
        "trach nhiem huu han",
        "cong ty tnhh",
        "tnhh",
        "mot thanh vien",
        "mtv",
        "hai thanh vien tro len",
        "hai thanh vien",
        "cong ty co phan",
        "co phan",
        "ctcp",
        "cong ty hop danh",
        "hop danh",
        "doanh nghiep tu nhan",
        "dntn",
        "hop tac xa",
        "htx",
        "ho kinh doanh",
        "hkd",
        "chi nhanh",
        "van phong dai dien",
        "vpdd",
        "cong ty",
        "cty",
    },
    key=len,
    reverse=True,
)
_PHRASES = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in LEGAL_FORM_PHRASES) + r")\b")
MAX_TERMS = 8


def strip_legal_form(folded: str) -> str:
    return " ".join(_PHRASES.sub(" ", folded).split())


def search_text(name: str, extra: list[str] | tuple[str, ...] = ()) -> str:
    """What the index holds for an enterprise: its folded name and its products' names."""
    parts = [strip_legal_form(fold(name))] + [fold(x) for x in extra]
    return " ".join(p for p in parts if p)


def query_terms(query: str) -> list[str]:
    """The folded terms of a search box input (at most MAX_TERMS), legal-form words removed."""
    return strip_legal_form(fold(query)).split()[:MAX_TERMS]


_PHRASE_TOKENS = [p.split() for p in LEGAL_FORM_PHRASES]


def without_legal_form(name: str) -> str:
    """The distinctive part of a name: leading legal-form words dropped ("Chi nhánh Công ty TNHH
    Hải Đăng" → "Hải Đăng"), so that sorting by name does not group by legal form."""
    tokens = name.split()
    folded = [fold(t) for t in tokens]
    start = 0
    matched = True
    while matched:
        matched = False
        for phrase in _PHRASE_TOKENS:
            if folded[start : start + len(phrase)] == phrase:
                start += len(phrase)
                matched = True
                break
    return " ".join(tokens[start:]) or name
