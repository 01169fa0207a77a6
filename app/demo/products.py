"""Compose certified products and their e-commerce listings (plain dicts, ready to insert)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from app.demo import catalogue
from app.demo.composer import Weighted
from app.text import fold

OCOP_VALIDITY_YEARS = 3  # DOMAIN.md §8: an OCOP certificate is valid 36 months
MARK_VALIDITY_YEARS = 10  # a registered collective mark, renewable


def _years_later(day: date, years: int) -> date:
    return day.replace(year=day.year + years)  # certification days are ≤ 28: no 29 February


class ProductMaker:
    """OCOP certificates are issued in rounds: products of one round share a decision and its date."""

    def __init__(self, rng: random.Random, as_of: date):
        self.rng = rng
        self.as_of = as_of
        years = [(y, w) for y, w in catalogue.CERTIFIED_YEARS if y <= as_of.year] or [
            (as_of.year, 1)
        ]
        self.years = Weighted([y for y, _ in years], [w for _, w in years])
        self.stars = Weighted(
            [s for s, _ in catalogue.OCOP_STARS], [w for _, w in catalogue.OCOP_STARS]
        )
        self.platforms = Weighted(catalogue.PLATFORM_WEIGHTS, catalogue.PLATFORM_WEIGHTS.values())
        self._rounds: dict[tuple[int, int, bool], tuple[date, str]] = {}

    def _round(self, stars: int) -> tuple[date, str]:
        rng = self.rng
        year = self.years.pick(rng)
        month = rng.choice((3, 6, 9, 12) if stars < 5 else (6, 12))
        key = (year, month, stars == 5)
        if key not in self._rounds:
            day = min(date(year, month, rng.randint(5, 28)), self.as_of)
            number = (
                f"{rng.randint(120, 2999)}/QĐ-UBND"
                if stars < 5
                else f"{rng.randint(100, 999)}/QĐ-BNN-VPĐP"
            )
            self._rounds[key] = (day, number)
        return self._rounds[key]

    def ocop(self, name: str, group: str) -> dict[str, Any]:
        stars = self.stars.pick(self.rng)
        certified_on, decision = self._round(stars)
        return {
            "name": name,
            "name_folded": fold(name),
            "certification": "ocop",
            "ocop_stars": stars,
            "ocop_group": group,
            "certifying_body": catalogue.ocop_certifier(
                stars, certified_on.year, certified_on.month
            ),
            "certificate_no": f"Quyết định số {decision}",
            "certified_on": certified_on,
            "expires_on": _years_later(certified_on, OCOP_VALIDITY_YEARS),
            "description": f"Sản phẩm OCOP {stars} sao. {catalogue.DESCRIPTIONS[group]}",
            "is_active": True,
        }

    def ocop_for(self, vsic: str, brand: str, taken: set[str]) -> dict[str, Any] | None:
        """An OCOP product of an enterprise's line of business not yet in ``taken`` (folded names), or None."""
        templates = list(catalogue.OCOP_TEMPLATES.get(vsic, ()))
        self.rng.shuffle(templates)
        for template, group in templates:
            name = template.format(b=brand)
            if fold(name) not in taken:
                taken.add(fold(name))
                return self.ocop(name, group)
        return None

    def mark(self, name: str, certification: str) -> dict[str, Any]:
        """A geographical indication or collective mark used by an enterprise (no stars, no OCOP group)."""
        rng = self.rng
        certified_on = date(rng.randint(2012, 2022), rng.randint(1, 12), rng.randint(1, 28))
        expires_on = (
            None if certification == "gi" else _years_later(certified_on, MARK_VALIDITY_YEARS)
        )
        return {
            "name": name,
            "name_folded": fold(name),
            "certification": certification,
            "ocop_stars": None,
            "ocop_group": None,
            "certifying_body": catalogue.IP_OFFICE,
            "certificate_no": f"Số {rng.randint(40, 380):05d}",
            "certified_on": certified_on,
            "expires_on": expires_on,
            "description": None,
            "is_active": True,
        }

    def listings_for(self, product: dict[str, Any]) -> list[dict[str, Any]]:
        """Listings for a little under half the products, more often the 4–5★ ones and the marks.

        Tourism services are sold through travel sites, not these shops: they get none.
        """
        if product["ocop_group"] == "tourism":
            return []
        likely = 0.48 if product["ocop_stars"] == 3 else 0.62
        return self.listings(product["name"]) if self.rng.random() < likely else []

    def listings(self, product_name: str) -> list[dict[str, Any]]:
        """One to three listings on different platforms, checked in the last four months."""
        rng = self.rng
        count = 1 if rng.random() < 0.55 else 2 if rng.random() < 0.67 else 3
        platforms: list[str] = []
        while len(platforms) < count:
            code = self.platforms.pick(rng)
            if code not in platforms:
                platforms.append(code)
        slug = fold(product_name).replace(" ", "-")
        return [
            {
                "platform_code": code,
                "url": catalogue.URL_SHAPES[code].format(
                    slug=slug,
                    a=rng.randint(10**7, 10**9),
                    b=rng.randint(10**9, 3 * 10**10),
                    long=rng.randint(10**18, 10**19 - 1),
                ),
                "last_verified_on": self.as_of - timedelta(days=rng.randint(0, 120)),
            }
            for code in platforms
        ]
