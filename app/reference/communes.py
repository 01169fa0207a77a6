"""Find the current commune of a row or of what a person typed: by code or by name, current or as it
was before 1 July 2025 (a former commune, or a former district, which the 2025 reform ended)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Commune, LegacyCommune
from app.text import fold

_PREFIX = re.compile(r"^(?:xa|phuong|thi tran|tt|p|x)\s+")
_DISTRICT_PREFIX = re.compile(r"^(?:huyen|thi xa|thanh pho|tp|tx|h)\s+")


def _bare(name: str) -> str:
    return _PREFIX.sub("", fold(name))


@dataclass(frozen=True)
class Resolution:
    code: str | None  # the current commune, when there is exactly one
    candidates: tuple[str, ...] = ()  # two or more when a person has to choose

    @property
    def is_held(self) -> bool:
        return self.code is None and len(self.candidates) > 1


UNKNOWN = Resolution(None)


class CommuneResolver:
    """Loads the communes and the old-to-new mapping once per import; answers from memory."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.current_by_name: dict[str, set[str]] = defaultdict(set)
        # Holding the objects keeps them in the session's identity map, so that derive()'s lookup of
        # the commune's name costs no query per row.
        self.communes = list(db.session.scalars(select(Commune)))
        for commune in self.communes:
            self.names[commune.code] = commune.name
            self.current_by_name[_bare(commune.name)].add(commune.code)
        self.old_by_code: dict[str, set[str]] = defaultdict(set)
        self.old_by_district: dict[str, set[str]] = defaultdict(set)  # bare district name → new codes
        self.old_by_name: dict[str, list[tuple[str, str]]] = defaultdict(list)  # bare name → (district, new code)
        for old in db.session.scalars(select(LegacyCommune)):
            self.old_by_code[old.old_code].add(old.new_code)
            district = _DISTRICT_PREFIX.sub("", fold(old.old_district))
            self.old_by_name[_bare(old.old_name)].append((district, old.new_code))
            self.old_by_district[district].add(old.new_code)

    @staticmethod
    def _one(codes) -> Resolution:
        codes = tuple(sorted(set(codes)))
        if not codes:
            return UNKNOWN
        return Resolution(codes[0]) if len(codes) == 1 else Resolution(None, codes)

    def by_code(self, code: str) -> Resolution:
        """A current code wins; an old code translates (two candidates when it was split)."""
        code = code.strip()
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)
        if code in self.names:
            return Resolution(code)
        return self._one(self.old_by_code.get(code, ()))

    def by_name(self, name: str, district: str = "") -> Resolution:
        """By name with or without diacritics or "Xã"/"Phường"; an old name may need its district."""
        key = _bare(name)
        old = self.old_by_name.get(key, [])
        wanted = _DISTRICT_PREFIX.sub("", fold(district))
        if wanted:
            in_district = [new for d, new in old if d == wanted]
            if in_district:
                return self._one(in_district)
        current = self.current_by_name.get(key, set())
        if current and not old:
            return self._one(current)
        # Both a current and an old unit (or several old ones) carry this name: a person chooses.
        return self._one([*current, *(new for _d, new in old)])

    def is_current_name(self, name: str, code: str) -> bool:
        """Whether `name` is the current name of the commune `code` (not a former one that became it)."""
        return code in self.current_by_name.get(_bare(name), ())

    def by_district(self, name: str) -> Resolution:
        """A former district (or town, city) by name: the communes its communes became."""
        return self._one(self.old_by_district.get(_DISTRICT_PREFIX.sub("", fold(name)), ()))


_WITH_DISTRICT = re.compile(r"^(?P<name>[^(,]+?)\s*(?:\((?P<paren>[^)]*)\)|,\s*(?P<comma>.+))\s*$")


@dataclass(frozen=True)
class Typed:
    """A commune field as a person filled it in."""

    code: str | None  # the current commune, when what was typed names exactly one
    candidates: tuple[str, ...] = ()  # the communes a former unit became, when it became several
    former: bool = False  # what was typed is a former commune's or district's name, not the current one


def read_typed(text: str | None, resolver: CommuneResolver | None = None) -> Typed:
    """What a person typed in a commune field: a current commune's code or name (with or without
    diacritics, "xã", "phường"), or a former commune's name, alone or with its district ("Phường 1
    (Thành phố Tuy Hòa)", "Hòa An, Phú Hòa"), or a former district's name."""
    text = (text or "").strip()
    if not text:
        return Typed(None)
    resolver = resolver or CommuneResolver()
    if text.isdigit():
        found = resolver.by_code(text)
        return Typed(found.code, found.candidates, found.code is None or found.code != text.zfill(5))
    parts = _WITH_DISTRICT.match(text)
    name, district = (parts["name"], parts["paren"] or parts["comma"]) if parts else (text, "")
    found = resolver.by_name(name, district)
    if found.code is not None:
        return Typed(found.code, (), not resolver.is_current_name(name, found.code))
    if found.candidates:
        return Typed(None, found.candidates, True)
    district_found = resolver.by_district(text)
    return Typed(district_found.code, district_found.candidates, district_found != UNKNOWN)
