"""Read one cell as people type it: dates, amounts, legal forms, statuses, VSIC codes, mis-encoded text."""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from app.domain.legal_forms import LEGAL_FORMS
from app.domain.numbers import parse_amount_vnd
from app.domain.sectors import section_for_vsic, sections
from app.domain.websites import WebsiteError, normalize_website
from app.text import fold, normalize


class CellError(ValueError):
    """A cell that cannot be accepted; ``reason`` is a key of ``reasons.REASONS``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def text(value: Any) -> str:
    """The cell as NFC text ("" when blank); whole numbers from a spreadsheet lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    value = str(value)
    if value.isprintable():
        # Fast path with the same result as normalize(): no control or invisible characters, and
        # the only white space is the ASCII space.
        return " ".join(unicodedata.normalize("NFC", value).split())
    return normalize(value)


_EXCEL_EPOCH = date(1899, 12, 30)
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")


def parse_date(value: Any, today: date) -> date | None:
    """dd/mm/yyyy, ISO yyyy-mm-dd, or an Excel serial day number; not in the future."""
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    else:
        raw = text(value)
        if not raw:
            return None
        if raw.isdigit() and 1 <= int(raw) <= 80000:
            found = _EXCEL_EPOCH + timedelta(days=int(raw))
        elif (m := _DMY.match(raw)) or (m := _ISO.match(raw)):
            day, month, year = (m[1], m[2], m[3]) if m.re is _DMY else (m[3], m[2], m[1])
            try:
                found = date(int(year), int(month), int(day))
            except ValueError:  # 31/02/2019, 00/13/2020: written right, but no such day
                raise CellError("no_such_date") from None
        else:
            raise CellError("bad_date")
    if found > today:
        raise CellError("future_date")
    if found.year < 1900:
        raise CellError("bad_date")
    return found


def parse_amount(value: Any) -> int | None:
    """A whole, non-negative amount: 1.234.567 (Vietnamese) or 1,234,567 (English) or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):  # a workbook's 1e999, or NaN
            raise CellError("bad_number")
        if value < 0:
            raise CellError("negative")
        return round(value)
    raw = text(value)
    if raw.startswith(("-", "−", "(")):
        raise CellError("negative")
    try:
        return parse_amount_vnd(raw)
    except ValueError:
        raise CellError("bad_number") from None


_EXTRA_FORMS = {
    "cong ty tnhh 1 thanh vien": "tnhh1",
    "tnhh 1 thanh vien": "tnhh1",
    "tnhh 1tv": "tnhh1",
    "mtv": "tnhh1",
    "single member limited liability company": "tnhh1",
    "single member llc": "tnhh1",
    "tnhh 2 thanh vien tro len": "tnhh2",
    "multi member limited liability company": "tnhh2",
    "llc": "tnhh2",
    "cty cp": "cp",
    "joint stock company": "cp",
    "jsc": "cp",
    "partnership": "hd",
    "private enterprise": "dntn",
    "cooperative": "htx",
    "household business": "hkd",
    "branch": "branch",
    "representative office": "rep_office",
}
_FORMS = (
    {fold(f.name_vi): f.code for f in LEGAL_FORMS.values()}
    | {word: f.code for f in LEGAL_FORMS.values() for word in f.words}
    | {code: code for code in LEGAL_FORMS}
    | _EXTRA_FORMS
)


@functools.lru_cache(maxsize=1024)
def parse_legal_form(value: Any) -> str | None:
    """Any legal form in any case, with or without diacritics, or its usual abbreviation."""
    key = fold(text(value))
    if not key:
        return None
    if key in _FORMS:
        return _FORMS[key]
    raise CellError("bad_legal_form")


def legal_form_names() -> list[str]:
    """The legal forms by their Vietnamese names, as a cell may write them (abbreviations are accepted too)."""
    return [f.name_vi for f in LEGAL_FORMS.values()]


def legal_form_codes() -> list[str]:
    """The legal forms' codes, which a cell may hold instead of the name."""
    return list(LEGAL_FORMS)


_NAME_STARTS = re.compile(
    "^("
    + "|".join(re.escape(w) for w in sorted((w for w in _FORMS if len(w) > 3), key=len, reverse=True))
    + r")(?: |$)"
)


def legal_form_in_name(name: str) -> str | None:
    """The legal form an enterprise's name starts with ("Công ty TNHH MTV …" → tnhh1), if any."""
    found = _NAME_STARTS.match(fold(name))
    return _FORMS[found[1]] if found else None


_STATUSES = {
    "dang hoat dong": "active",
    "hoat dong": "active",
    "active": "active",
    "tam ngung kinh doanh": "suspended",
    "tam ngung hoat dong": "suspended",
    "tam ngung": "suspended",
    "suspended": "suspended",
    "giai the": "dissolved",
    "da giai the": "dissolved",
    "dissolved": "dissolved",
}


STATUS_NAMES = {"active": "Đang hoạt động", "suspended": "Tạm ngừng kinh doanh", "dissolved": "Giải thể"}


def status_names() -> list[str]:
    """The statuses by their Vietnamese names, as a cell may write them."""
    return list(STATUS_NAMES.values())


def status_codes() -> list[str]:
    """The statuses' codes, which a cell may hold instead of the name."""
    return list(STATUS_NAMES)


# The statuses as the registration office's and the tax office's lists write them, longer than the
# names above ("NNT ngừng hoạt động và đã hoàn thành thủ tục chấm dứt hiệu lực MST", "Tạm ngừng kinh
# doanh có thời hạn", "Đang làm thủ tục giải thể"): the words that decide, tried in this order on
# the folded cell. A firm that has stopped but has not finished closing still exists: suspended.
_STATUS_WORDS = (
    ("dang lam thu tuc giai the", "suspended"),
    ("chua hoan thanh thu tuc", "suspended"),
    ("tam ngung", "suspended"),
    ("tam nghi", "suspended"),
    ("ngung kinh doanh co thoi han", "suspended"),
    ("giai the", "dissolved"),
    ("pha san", "dissolved"),
    ("cham dut hieu luc", "dissolved"),
    ("cham dut hoat dong", "dissolved"),
    ("bi thu hoi", "dissolved"),
    ("ngung hoat dong", "suspended"),
    ("dang hoat dong", "active"),
    ("khong hoat dong tai dia chi", "active"),  # still registered: the tax office could not find it
)


@functools.lru_cache(maxsize=256)
def parse_status(value: Any) -> str | None:
    key = fold(text(value))
    if not key:
        return None
    if key in _STATUSES:
        return _STATUSES[key]
    words = f" {key} "
    found = next((status for phrase, status in _STATUS_WORDS if f" {phrase} " in words), None)
    if found is None:
        raise CellError("bad_status")
    return found


_CODE_THEN_NAME = re.compile(r"^\s*([A-Z]?\s*\d{2,5})\s*(?:[-–:.)(]|\s)\s*\D.*$", re.S)


@functools.lru_cache(maxsize=4096)
def parse_vsic(value: Any) -> tuple[str | None, str | None]:
    """(main_vsic, section letter): a code checked by its division, or a section letter alone."""
    raw = text(value).upper()
    # The registration office writes the code with its name: "4620 - Bán buôn nông, lâm sản …"
    raw = _CODE_THEN_NAME.sub(r"\1", raw).replace(" ", "")
    if not raw:
        return None, None
    if len(raw) == 1 and raw in sections():
        return None, raw
    code = raw[1:] if raw[:1].isalpha() else raw  # "C1020" → "1020"
    section = section_for_vsic(code)
    if section is None or (raw[:1].isalpha() and raw[0] != section):
        raise CellError("bad_vsic")
    return code, section


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_website(value: Any) -> str | None:
    """A website written the way the forms write it (``gandadia.vn`` → ``https://gandadia.vn``)."""
    try:
        return normalize_website(text(value))
    except WebsiteError:
        raise CellError("bad_website") from None


def parse_email(value: Any) -> str | None:
    raw = text(value)
    if raw and not _EMAIL.match(raw):
        raise CellError("bad_email")
    return raw.lower() or None


# Text typed in TCVN3 (ABC) or VNI and read as Windows-1252/Latin-1: characters that no Vietnamese word
# holds, next to a letter ("C«ng ty", "Thñy s¶n", "Coâng ty Hoøa"), or a capital letter with a mark in the
# middle of a lower-case word ("NguyÔn").
_FOREIGN = "¸µ¶·¹«»¼½¾¿¦¨¬®±²³¤¢£¥¡§ª°¯ÆÇËÎÏÑÖ×ØÛÜÞßåæçëîïñö÷øûüþÿÄÅä"
_MOJIBAKE = re.compile(
    rf"(?:[A-Za-z][{_FOREIGN}]|[{_FOREIGN}][A-Za-z])"
    r"|[a-z][ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ]"
    r"|[aeiuyAEIUY]õ"
)


def looks_mis_encoded(value: str) -> bool:
    return bool(value) and _MOJIBAKE.search(value) is not None
