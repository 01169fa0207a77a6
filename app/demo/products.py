"""Compose certified products and their e-commerce listings (plain dicts, ready to insert).

Every date is in the past of the as-of day: when a certificate was issued and until when it holds,
when the department verified it, when each listing was first seen and each later check of it.
Most OCOP products are re-evaluated when their 36 months run out and certified again in the same
round three years on; a product keeps its current certificate (the renewal's day and decision), so
the quarter that were not renewed are the ones the dashboard shows as expired.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from app.demo import catalogue
from app.demo.composer import Weighted
from app.demo.history import at_office_hours, day_between
from app.text import fold

OCOP_VALIDITY_YEARS = 3  # DOMAIN.md §8: an OCOP certificate is valid 36 months
MARK_VALIDITY_YEARS = 10  # a registered collective mark, renewable
RENEWED = 0.75  # of the OCOP certificates that reached their end: re-evaluated and certified again
LISTED_SINCE = date(2021, 1, 1)  # the first listings the department recorded
CHECKED_BY = "demo"
MAX_CHECKS = 4
GONE = 0.1  # of the listings: no longer found at their last check


def _years_later(day: date, years: int) -> date:
    return day.replace(year=day.year + years)  # certification days are ≤ 28: no 29 February


class ProductMaker:
    """OCOP certificates are issued in rounds: products of one round share a decision and its date."""

    def __init__(self, rng: random.Random, as_of: date):
        self.rng = rng
        self.as_of = as_of
        years = [(y, w) for y, w in catalogue.CERTIFIED_YEARS if y <= as_of.year] or [(as_of.year, 1)]
        self.years = Weighted([y for y, _ in years], [w for _, w in years])
        self.stars = Weighted([s for s, _ in catalogue.OCOP_STARS], [w for _, w in catalogue.OCOP_STARS])
        self.platforms = Weighted(catalogue.PLATFORM_WEIGHTS, catalogue.PLATFORM_WEIGHTS.values())
        self._rounds: dict[tuple[int, int, bool], tuple[date, str]] = {}

    def _round(self, stars: int, year: int | None = None, month: int | None = None) -> tuple[date, str]:
        rng = self.rng
        year = year or self.years.pick(rng)
        if month is None:  # a round of this year that has already met (the first one if none has)
            months = (3, 6, 9, 12) if stars < 5 else (6, 12)
            month = rng.choice([m for m in months if date(year, m, 28) <= self.as_of] or months[:1])
        key = (year, month, stars == 5)
        if key not in self._rounds:
            day = min(date(year, month, rng.randint(5, 28)), self.as_of)
            number = f"{rng.randint(120, 2999)}/QĐ-UBND" if stars < 5 else f"{rng.randint(100, 999)}/QĐ-BNN-VPĐP"
            self._rounds[key] = (day, number)
        return self._rounds[key]

    def verified_at(self, certified_on: date, known_since: date | None) -> datetime | None:
        """When the department checked the certificate: after it was issued and the enterprise was
        in the registry; None when that day has not come yet (the declaration awaits review)."""
        rng = self.rng
        day = max(
            certified_on + timedelta(days=rng.randint(7, 60)),
            (known_since or certified_on) + timedelta(days=rng.randint(1, 30)),
        )
        return at_office_hours(rng, day) if day <= self.as_of else None

    def verification(self, certified_on: date, known_since: date | None) -> dict[str, Any]:
        """``verified_at`` and the day it counts from (a working day's moment in UTC+7 office hours:
        the same day in UTC)."""
        moment = self.verified_at(certified_on, known_since)
        return {"verified_at": moment, "verified_on": moment.date() if moment else None}

    def ocop(self, name: str, group: str, known_since: date | None = None) -> dict[str, Any]:
        stars = self.stars.pick(self.rng)
        certified_on, decision = self._round(stars)
        first_certified_on = certified_on
        while _years_later(certified_on, OCOP_VALIDITY_YEARS) <= self.as_of and self.rng.random() < RENEWED:
            certified_on, decision = self._round(stars, certified_on.year + 3, certified_on.month)
        description = f"Sản phẩm OCOP {stars} sao. {catalogue.DESCRIPTIONS[group]}"
        if certified_on != first_certified_on:
            description += f" Công nhận lần đầu năm {first_certified_on.year}, đánh giá lại năm {certified_on.year}."
        return {
            "name": name,
            "name_folded": fold(name),
            "certification": "ocop",
            "ocop_stars": stars,
            "ocop_group": group,
            "certifying_body": catalogue.ocop_certifier(stars, certified_on.year, certified_on.month),
            "certificate_no": f"Quyết định số {decision}",
            "certified_on": certified_on,
            "expires_on": None,  # valid for the months the department sets (app/registry/certificates.py)
            "description": description,
            "is_active": True,
            **self.verification(certified_on, known_since),
            # Not a column: when listings may start (callers pop it once the listings are made).
            "first_certified_on": first_certified_on,
        }

    def ocop_for(
        self, vsic: str, brand: str, taken: set[str], known_since: date | None = None
    ) -> dict[str, Any] | None:
        """An OCOP product of an enterprise's line of business not yet in ``taken`` (folded names), or None.

        ``known_since``: the day the enterprise entered the registry (the certificate is checked after).
        """
        templates = list(catalogue.OCOP_TEMPLATES.get(vsic, ()))
        self.rng.shuffle(templates)
        for template, group in templates:
            name = template.format(b=brand)
            if fold(name) not in taken:
                taken.add(fold(name))
                return self.ocop(name, group, known_since)
        return None

    def mark(self, name: str, certification: str, known_since: date | None = None) -> dict[str, Any]:
        """A geographical indication or collective mark used by an enterprise (no stars, no OCOP group)."""
        rng = self.rng
        certified_on = date(rng.randint(2017, 2022), rng.randint(1, 12), rng.randint(1, 28))
        expires_on = None if certification == "gi" else _years_later(certified_on, MARK_VALIDITY_YEARS)
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
            **self.verification(certified_on, known_since),
        }

    def listings_for(self, product: dict[str, Any]) -> list[dict[str, Any]]:
        """Listings for a little over half the products, more often the 4–5★ ones and the marks.

        Tourism services are sold through travel sites, not these shops: they get none.
        """
        if product["ocop_group"] == "tourism":
            return []
        likely = 0.48 if product["ocop_stars"] == 3 else 0.6
        return self.listings(product) if self.rng.random() < likely else []

    def listings(self, product: dict[str, Any]) -> list[dict[str, Any]]:
        """One to three listings on different platforms, each with its dated checks.

        The first listing is found some time after the product was first certified (and recorded
        no earlier than its current certificate is verified), the others later; each is checked
        again every ten months to a year, up to four checks.
        """
        rng = self.rng
        count = 1 if rng.random() < 0.55 else 2 if rng.random() < 0.67 else 3
        platforms: list[str] = []
        while len(platforms) < count:
            code = self.platforms.pick(rng)
            if code not in platforms:
                platforms.append(code)
        start = max(product.get("first_certified_on") or product["certified_on"], LISTED_SINCE)
        span = max(0, (self.as_of - start).days)
        first = min(start + timedelta(days=round(span * rng.random() ** 0.9)), self.as_of)
        # Listings the product already had are recorded when the department verifies its certificate.
        known = product["verified_at"].date() if product.get("verified_at") else product["certified_on"]
        first = max(first, min(known, self.as_of))
        slug = fold(product["name"]).replace(" ", "-")
        listings = []
        for index, code in enumerate(platforms):
            found = first if index == 0 else day_between(rng, first, self.as_of)
            checks = self.checks(found)
            listings.append(
                {
                    "platform_code": code,
                    "url": catalogue.URL_SHAPES[code].format(
                        slug=slug,
                        a=rng.randint(10**7, 10**9),
                        b=rng.randint(10**9, 3 * 10**10),
                        long=rng.randint(10**18, 10**19 - 1),
                    ),
                    "last_verified_on": max(day for day, available, _ in checks if available),
                    "created_at": at_office_hours(rng, found),
                    "checks": checks,
                }
            )
        return listings

    def checks(self, found: date) -> list[tuple[date, bool, str | None]]:
        """(day, still selling, note): found on ``found``, checked again until the as-of day."""
        rng = self.rng
        days = [found]
        while len(days) < MAX_CHECKS:
            following = days[-1] + timedelta(days=rng.randint(300, 365))
            if following > self.as_of:
                break
            days.append(following)
        checks = [(day, True, None) for day in days]
        if rng.random() < GONE:
            gone = days[-1] + timedelta(days=rng.randint(30, 200))
            note = "Không còn tìm thấy sản phẩm trên sàn"
            if len(days) > 1:
                checks[-1] = (days[-1], False, note)
            elif gone <= self.as_of:
                checks.append((gone, False, note))
        return checks
