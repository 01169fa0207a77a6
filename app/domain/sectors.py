"""VSIC 2018 sections, divisions and sector groups; the digital-technology hint."""

from __future__ import annotations

import functools
import re

from app import rules
from app.text import fold

AGRI_INDUSTRY = "agri_industry"
TRADE_SERVICES = "trade_services"
_CODE = re.compile(r"^\d{2,5}$")


def section_for_vsic(code: str | None) -> str | None:
    """Return the section letter of a VSIC code, else None: the forms, the imports and the API all ask here.

    A code is checked by its 2-digit division (DOMAIN.md §5); when the department provides the
    official list of VSIC 2018 codes (``vsic_codes.txt`` in the rules folder, every level of 2 to 5
    digits), a code must also be on it. The answers are kept per rules folder: its files are read once
    per process (app/rules.py).
    """
    return _section(str(rules.rules_dir()), (code or "").strip())


@functools.lru_cache(maxsize=8192)
def _section(_folder: str, code: str) -> str | None:
    if not _CODE.match(code):
        return None
    listed = rules.codes("vsic_codes")
    if listed is not None and code not in listed:
        return None
    division = int(code[:2])
    for letter, section in rules.load("vsic")["sections"].items():
        if any(lo <= division <= hi for lo, hi in section["divisions"]):
            return letter
    return None


def sector_group(section: str | None) -> str | None:
    """Decree 80/2021 sector group of a VSIC section letter."""
    sections = rules.load("vsic")["sections"]
    return sections[section]["group"] if section in sections else None


def sections() -> dict[str, dict]:
    return rules.load("vsic")["sections"]


def divisions() -> dict[str, dict]:
    """The 2-digit divisions with their names (vi, en), in code order."""
    return dict(sorted((rules.load("vsic").get("divisions") or {}).items()))


def divisions_matching(words: str) -> list[str]:
    """The divisions whose name (in either language, diacritics and case aside) holds every word typed."""
    wanted = fold(words).split()
    if not wanted:
        return []
    found = []
    for code, names in divisions().items():
        text = fold(f"{names['vi']} {names['en']}")
        if all(word in text for word in wanted):
            found.append(code)
    return found


def digital_tech_hint(vsic_code: str | None) -> str | None:
    """The VSIC prefix that suggests a digital-technology enterprise, or None."""
    code = (vsic_code or "").strip()
    prefixes = rules.load("digital_tech")["prefixes"]
    matches = [p for p in prefixes if code.startswith(p)]
    return max(matches, key=len) if matches else None
