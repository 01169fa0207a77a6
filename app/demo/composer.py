"""Compose one made-up enterprise at a time from a seeded random generator.

The demo province and the scale generator share this, so both have the same sector, size and
place mix. Nothing here touches the database: communes come in as plain tuples.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.demo import names
from app.demo.trades import (
    COOP_LEGAL_FORM_WEIGHTS,
    LEGAL_FORM_WEIGHTS,
    LEGAL_PREFIXES,
    TRADES,
    Trade,
)
from app.text import fold

BN = 1_000_000_000
MN = 1_000_000
TOURISM = frozenset({"5510", "5610", "7911"})
FACTORIES = frozenset({"1020", "1079", "1621", "2395"})
# Registrations per founding year, roughly: slow in the 1990s, fast after 2015, a dip in 2020–21.
_YEAR_WEIGHTS = {
    year: 1 if year < 2005 else 2 if year < 2010 else 3 if year < 2015 else 5 for year in range(1995, 2027)
}
_YEAR_WEIGHTS.update({2020: 4, 2021: 4, 2022: 6, 2023: 6, 2024: 6, 2025: 6, 2026: 6})


class Weighted:
    """Pick items by weight with one random number and a bisection."""

    def __init__(self, items, weights):
        self.items = list(items)
        self.cumulative = list(itertools.accumulate(weights))
        if not self.items or self.cumulative[-1] <= 0:
            raise ValueError("Nothing to pick from.")

    def pick(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    old_names: tuple[str, ...] = ()  # names of the pre-2025 communes it absorbed


@dataclass
class Draft:
    """An enterprise before derivation: its fields, plus what products are named after."""

    fields: dict[str, Any]
    trade: Trade
    brand: str
    short_name: str = ""  # the name without its legal form: what must not repeat


def _spread(communes: list[Commune], chosen: frozenset[str], urban_weight: int) -> Weighted:
    pool = [c for c in communes if c.name in chosen] or communes
    return Weighted(pool, [urban_weight if c.name in names.WARDS else 1 for c in pool])


class Composer:
    """Makes drafts of enterprises for a list of communes, as of a date."""

    def __init__(self, rng: random.Random, communes: list[Commune], as_of: date, curated_brands: float = 0.85):
        self.rng = rng
        self.as_of = as_of
        self.curated_brands = curated_brands
        self.trades = Weighted(TRADES, [t.weight for t in TRADES])
        self.household_trades = Weighted(TRADES, [t.household_weight for t in TRADES])
        self.forms = Weighted(LEGAL_FORM_WEIGHTS, LEGAL_FORM_WEIGHTS.values())
        self.coop_forms = Weighted(COOP_LEGAL_FORM_WEIGHTS, COOP_LEGAL_FORM_WEIGHTS.values())
        # Towns draw more businesses than villages.
        self.places = {
            None: _spread(communes, frozenset(c.name for c in communes), 6),
            "coast": _spread(communes, names.COASTAL, 3),
            "highland": _spread(communes, names.HIGHLAND, 1),
        }
        years = [y for y in _YEAR_WEIGHTS if y <= as_of.year]
        self.years = Weighted(years, [_YEAR_WEIGHTS[y] for y in years])

    # --- the parts of a record -------------------------------------------------------------

    def commune(self, trade: Trade | None = None) -> Commune:
        place = trade.place if trade and self.rng.random() < 0.85 else None
        return self.places[place].pick(self.rng)

    def founded_on(self, earliest: int | None = None) -> date:
        rng = self.rng
        year = rng.randint(earliest, self.as_of.year) if earliest else self.years.pick(rng)
        first = date(year, 1, 1).toordinal()
        last = min(date(year, 12, 31), self.as_of).toordinal()
        return date.fromordinal(rng.randint(first, max(first, last)))

    def brand(self, trade: Trade) -> str:
        rng = self.rng
        if trade.vsic in TOURISM and rng.random() < 0.35:
            return rng.choice(names.LANDMARKS)
        if rng.random() < self.curated_brands:
            return rng.choice(names.BRANDS)
        first, second = rng.sample(names.SYLLABLES, 2)
        return f"{first} {second}"

    def person(self) -> str:
        rng = self.rng
        return f"{rng.choice(names.SURNAMES)} {rng.choice(names.MIDDLE_NAMES)} {rng.choice(names.GIVEN_NAMES)}"

    def name(self, legal_form: str, trade: Trade, commune: Commune) -> tuple[str, str, str]:
        """(legal prefix, rest of the name, brand): the brand is what products are named after."""
        rng = self.rng
        prefix = rng.choice(LEGAL_PREFIXES[legal_form])
        if legal_form == "hkd":
            roll = rng.random()
            brand = rng.choice(names.NICKNAMES) if roll < 0.45 else self.brand(trade) if roll < 0.7 else self.person()
            words = trade.household_words or trade.words
        elif legal_form == "htx":
            brand = rng.choice(commune.old_names or (commune.name,) + names.VILLAGES)
            words = trade.coop_words or trade.words
        else:
            brand = self.brand(trade)
            words = () if legal_form == "dntn" and rng.random() < 0.4 else trade.words
        return prefix, f"{rng.choice(words)} {brand}" if words else brand, brand

    def address(self, trade: Trade, commune: Commune, legal_form: str) -> str:
        rng = self.rng
        park = names.INDUSTRIAL_PARKS.get(commune.name)
        if park and trade.vsic in FACTORIES and legal_form not in ("hkd", "htx") and rng.random() < 0.6:
            return f"Lô {rng.choice('ABCDE')}{rng.randint(1, 24)}, {park}"
        if commune.name in names.WARDS or (commune.name not in names.HIGHLAND and rng.random() < 0.2):
            number = str(rng.randint(1, 320))
            if rng.random() < 0.25:
                number += f"/{rng.randint(1, 40)}"
            street = rng.choice(names.STREETS)
            return f"Số {number} {street}" if street.startswith("Quốc lộ") else f"Số {number} đường {street}"
        if commune.name in names.HIGHLAND and rng.random() < 0.3:
            return rng.choice(names.HAMLETS)
        return f"Thôn {rng.randint(1, 12)}" if rng.random() < 0.3 else f"Thôn {rng.choice(names.VILLAGES)}"

    def figures(self, legal_form: str, founded_on: date) -> tuple[int | None, int | None, int | None]:
        """Employees, yearly revenue and capital (VND); some missing, as in real filings."""
        rng = self.rng
        roll = rng.random()
        if legal_form == "hkd":
            employees, revenue = rng.randint(1, 6), rng.uniform(0.1, 2) * BN
            capital = rng.choice((50, 100, 200, 300, 500, 1000)) * MN if rng.random() < 0.7 else None
        elif roll < 0.79:  # micro
            employees = min(10, 1 + int(rng.expovariate(1 / 2.5)))
            revenue = min(8.0, 0.3 + rng.expovariate(1 / 1.8)) * BN
            capital = rng.choice((0.5, 1, 1, 1.5, 2, 2, 3, 5)) * BN
        elif roll < 0.965:  # small
            employees, revenue = rng.randint(11, 60), rng.uniform(8, 60) * BN
            capital = rng.choice((3, 5, 8, 10, 15, 20, 30)) * BN
        elif roll < 0.994:  # medium
            employees, revenue = rng.randint(50, 180), rng.uniform(60, 250) * BN
            capital = rng.choice((20, 30, 50, 80, 100)) * BN
        else:  # large
            employees, revenue = rng.randint(150, 1500), rng.uniform(300, 3000) * BN
            capital = rng.choice((100, 200, 500, 1000, 1500)) * BN
        revenue = int(revenue) // MN * MN
        capital = int(capital) if capital is not None else None
        # Firms registered this past year have not filed yet; a few older ones never did.
        young = (self.as_of - founded_on).days < 365
        if rng.random() < (0.5 if young else 0.04):
            employees = None
        if rng.random() < (0.6 if young else 0.05):
            revenue = None
        if rng.random() < 0.08:
            capital = None
        return employees, revenue, capital

    def contacts(self, short_name: str, legal_form: str, trade: Trade) -> dict[str, str | None]:
        """Phone, website, e-mail, each for part of the records; the domain comes from the short name."""
        rng = self.rng
        household = legal_form == "hkd"
        phone = None
        if rng.random() < 0.7:
            if household or rng.random() < 0.6:
                phone = f"{rng.choice(names.MOBILE_PREFIXES)}{rng.randint(1, 9)} {rng.randrange(1000):03d} {rng.randrange(1000):03d}"
            else:
                phone = f"{names.LANDLINE_AREA} 3{rng.randrange(1000):03d} {rng.randrange(1000):03d}"
        has_site = not household and rng.random() < (0.4 if trade.vsic in TOURISM else 0.12)
        has_email = rng.random() < (0.1 if household else 0.4)
        website = email = None
        if has_site or has_email:
            # example.com addresses: demo records must never point at a real mailbox or site.
            slug = fold(short_name).replace(" ", "")
            website = f"https://{slug}.example.com" if has_site else None
            if has_email:
                email = f"lienhe@{slug}.example.com" if has_site else f"{slug}{rng.randint(1, 99)}@example.com"
        return {"phone": phone, "website": website, "email": email}

    def status(self) -> str:
        roll = self.rng.random()
        return "suspended" if roll < 0.02 else "dissolved" if roll < 0.03 else "active"

    # --- a whole record ----------------------------------------------------------------------

    def draft(self, household: bool = False, trade: Trade | None = None, legal_form: str | None = None) -> Draft:
        """An enterprise (or household business) without its code, public key or derived fields."""
        rng = self.rng
        if trade is None:
            trade = (self.household_trades if household else self.trades).pick(rng)
        if legal_form is None:
            legal_form = "hkd" if household else (self.coop_forms if trade.coop_words else self.forms).pick(rng)
        commune = self.commune(trade)
        prefix, short_name, brand = self.name(legal_form, trade, commune)
        founded_on = self.founded_on()
        employees, revenue, capital = self.figures(legal_form, founded_on)
        fields = {
            "name": f"{prefix} {short_name}",
            "legal_form": legal_form,
            "main_vsic": trade.vsic,
            "commune_code": commune.code,
            "address": self.address(trade, commune, legal_form),
            "founded_on": founded_on,
            "employees": employees,
            "revenue_vnd": revenue,
            "capital_vnd": capital,
            "status": self.status(),
            **self.contacts(short_name, legal_form, trade),
            "representative": representative(short_name, founded_on),
        }
        return Draft(fields, trade, brand, short_name)


def representative(short_name: str, founded_on: date) -> str:
    """The legal representative the registration names, drawn from the firm's own name and day
    rather than the composer's sequence, so that the registry's other draws stay as they were."""
    own = random.Random(f"{short_name}|{founded_on.isoformat()}")
    return f"{own.choice(names.SURNAMES)} {own.choice(names.MIDDLE_NAMES)} {own.choice(names.GIVEN_NAMES)}"
