"""The demo's history: dated records the progress dashboard reads as of any day, consistent throughout."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from sqlalchemy import select

from app.auth.services import authenticate, request_password_reset
from app.demo import owners, province
from app.domain.size import COUNTED_AS_SME
from app.extensions import db
from app.i18n import local_today
from app.models import (
    Assessment,
    Enterprise,
    Indicator,
    IndicatorValue,
    LatestAssessment,
    Listing,
    Membership,
    Product,
    ReviewRequest,
    User,
)
from app.registry import certificates, history
from tests.conftest import _empty_tables
from tests.factories import login, make_enterprise, province_today

AS_OF = date(2026, 11, 30)
SMES = COUNTED_AS_SME


def load(seed: int = province.DEFAULT_SEED) -> province.LoadResult:
    result = province.load_demo_province(seed, AS_OF)
    db.session.commit()
    return result


def all_of(model) -> list:
    return list(db.session.scalars(select(model)))


def months_before(day: date, months: int) -> date:
    y, m = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(y, m + 1, min(day.day, 28))


def share_transformed(enterprises: list[Enterprise], attempts: list[Assessment], day: date) -> float:
    """Active SMEs whose newest counted attempt by ``day`` is recent and at level 1 or more."""
    newest: dict[int, Assessment] = {}
    for a in attempts:
        if a.counted_at and a.counted_at.date() <= day:
            if a.enterprise_id not in newest or newest[a.enterprise_id].counted_at < a.counted_at:
                newest[a.enterprise_id] = a
    smes = [
        e
        for e in enterprises
        if e.size_tier in SMES and e.founded_on <= day and (e.ceased_on is None or e.ceased_on > day)
    ]
    since = months_before(day, 24)
    done = sum(
        1 for e in smes if e.id in newest and newest[e.id].overall_level >= 1 and newest[e.id].counted_at.date() > since
    )
    return done / len(smes)


def labelled(enterprises: list[Enterprise], day: date) -> int:
    return sum(
        1
        for e in enterprises
        if (e.ceased_on is None or e.ceased_on > day)
        and any(d and d <= day for d in (e.digital_tech_verified_on, e.startup_verified_on))
    )


def test_demo_records_are_dated_consistently(app_ctx):
    load()
    enterprises = all_of(Enterprise)
    for e in enterprises:
        assert e.founded_on <= AS_OF
        assert e.registered_on == local_today()  # the day the registry's file was imported: provenance
        assert (e.ceased_on is not None) == (e.status != "active"), e
        assert e.ceased_on is None or e.founded_on <= e.ceased_on <= AS_OF
        for label in ("digital_tech", "startup"):
            verified = getattr(e, f"is_{label}") and getattr(e, f"{label}_verification") == "verified"
            day = getattr(e, f"{label}_verified_on")
            assert (day is not None) == verified, e
            assert day is None or e.founded_on <= day <= AS_OF
    spans = history.load(e.id for e in enterprises)  # each counted from its first registration on
    assert all(spans[e.id][0]["valid_from"] == e.founded_on for e in enterprises)
    assert 0.01 < sum(e.status != "active" for e in enterprises) / len(enterprises) < 0.06

    # T6 grows from about 15 labelled firms when the plan began towards 50 now, short of 100.
    assert 10 <= labelled(enterprises, date(2023, 1, 31)) <= 22
    assert 40 <= labelled(enterprises, AS_OF) <= 65


def test_demo_assessments_are_counted_from_verified_members(app_ctx):
    load()
    attempts = all_of(Assessment)
    every_counted = [a for a in attempts if a.counted_at is not None]
    counted = [a for a in every_counted if not a.is_imported]  # the earlier survey's are imported
    members = {(m.user_id, m.enterprise_id): m for m in all_of(Membership) if m.claim_state == "verified"}
    for a in counted:
        assert a.status == "submitted" and a.counts_toward_indicators and a.instrument_id == "dbi-sme"
        assert a.counted_at == a.submitted_at and a.overall_level in range(6)
        membership = members[(a.user_id, a.enterprise_id)]
        assert membership.decided_at < a.counted_at
        assert a.enterprise.founded_on <= a.submitted_at.date() <= AS_OF
        assert set(a.pillar_results) == {
            "customer",
            "strategy",
            "infrastructure",
            "operations",
            "culture",
            "data",
        }
    quick = [a for a in attempts if a.instrument_id == "quick-check"]
    assert quick and all(a.counted_at is None and not a.counts_toward_indicators for a in quick)

    newest: dict[int, Assessment] = {}
    for a in every_counted:
        if a.enterprise_id not in newest or newest[a.enterprise_id].submitted_at < a.submitted_at:
            newest[a.enterprise_id] = a
    latest = {row.enterprise_id: row for row in all_of(LatestAssessment)}
    assert set(latest) == set(newest)
    for enterprise_id, row in latest.items():
        a = newest[enterprise_id]
        assert (row.assessment_id, row.overall_level, row.total_share) == (
            a.id,
            a.overall_level,
            a.total_share,
        )

    per_firm = defaultdict(int)
    for a in counted:
        per_firm[a.enterprise_id] += 1
    assert 0.2 < sum(n > 1 for n in per_firm.values()) / len(per_firm) < 0.45  # retakes
    levels = [a.overall_level for a in newest.values() if not a.is_imported]
    assert sum(lv <= 2 for lv in levels) > 0.6 * len(levels) and 0 < sum(lv >= 4 for lv in levels)

    # T5 moves: a few percent early in 2024, a quarter by the 2025 deadline, a third now.
    enterprises = all_of(Enterprise)
    early, deadline, now = (
        share_transformed(enterprises, counted, day) for day in (date(2024, 1, 31), date(2025, 12, 31), AS_OF)
    )
    assert 0.05 < early < deadline < now < 0.5 and 0.2 < deadline < 0.35


def test_demo_products_listings_and_reports_are_dated(app_ctx):
    load()
    products = all_of(Product)
    for p in products:
        assert p.certified_on is not None and p.certified_on <= AS_OF
        assert p.verified_at is None or p.verified_at.date() >= p.certified_on
    expired = [p for p in products if p.certification == "ocop" and certificates.valid_until(p, 36) < AS_OF]
    assert 0.1 < len(expired) / len(products) < 0.3
    assert any(p.ocop_group == "tourism" for p in products)

    pending = [p for p in products if p.verified_at is None]
    assert 10 <= len(pending) <= 15
    reviews = [r for r in all_of(ReviewRequest) if r.kind == "certification"]
    assert sorted(r.payload["product_id"] for r in reviews) == sorted(p.id for p in pending)
    for review in reviews:
        assert review.state == "pending"
        member = db.session.scalar(
            select(Membership).where(
                Membership.user_id == review.requested_by_id,
                Membership.enterprise_id == review.enterprise_id,
            )
        )
        assert member.claim_state == "verified" and member.decided_at < review.created_at

    for listing in all_of(Listing):
        checks = listing.checks
        assert 1 <= len(checks) <= 4
        available = [c.checked_on for c in checks if c.is_available]
        assert listing.last_verified_on == max(available)
        assert all(c.checked_on <= AS_OF for c in checks) and len({c.checked_on for c in checks}) == len(checks)

    values = defaultdict(list)
    for value in all_of(IndicatorValue):
        assert value.entered_by_label == "demo" and value.source_document.startswith("Báo cáo số ")
        assert value.as_of <= value.entered_at.date() <= AS_OF
        values[db.session.get(Indicator, value.indicator_id).code].append(value)
    for code in ("T1", "T2-province", "T2-commune", "T3"):
        assert len(values[code]) >= 3, code

    def at_deadline(code: str) -> float:
        return next(float(v.value) for v in values[code] if v.as_of == date(2025, 12, 31))

    assert at_deadline("T1") == 100 and at_deadline("T2-province") == 92
    assert at_deadline("T2-commune") == 55 and at_deadline("T3") == 7.5


def fingerprint() -> dict:
    """What the dashboard reads, in a form that does not depend on database ids (nor on the keys the
    import makes for household businesses)."""
    key = {e.id: e.code or e.personal_id for e in all_of(Enterprise)}
    return {
        "enterprises": sorted(
            (
                key[e.id],
                e.registered_on,
                e.ceased_on,
                e.digital_tech_verified_on,
                e.startup_verified_on,
                e.stage,
                e.funding_sought_vnd,
            )
            for e in all_of(Enterprise)
        ),
        "attempts": sorted(
            (key[a.enterprise_id], a.submitted_at, a.overall_level, a.total_share)
            for a in all_of(Assessment)
            if a.enterprise_id
        ),
        "products": sorted((key[p.enterprise_id], p.name, p.certified_on, p.verified_on) for p in all_of(Product)),
        "checks": sorted(
            (listing.url, c.checked_on, c.is_available) for listing in all_of(Listing) for c in listing.checks
        ),
        "values": sorted((v.as_of, v.value) for v in all_of(IndicatorValue)),
    }


def test_demo_province_is_the_same_for_a_seed_and_day(app_ctx):
    load()
    first = fingerprint()
    _empty_tables()
    load()
    assert fingerprint() == first


def test_bulk_owner_accounts_cannot_sign_in_or_reset_their_password(app, client, outbox):
    with app.app_context():
        enterprise = make_enterprise()
        made = owners.create_owners(
            random.Random(1),
            [owners.Claim(enterprise.id, enterprise.public_key, date(2023, 1, 5), date(2024, 3, 1))],
        )
        db.session.commit()
        user = db.session.get(User, made[enterprise.id][0])
        email = user.email
        assert email == owners.owner_email(enterprise.public_key) and email.endswith("@example.com")
        membership = db.session.scalar(select(Membership).where(Membership.user_id == user.id))
        assert membership.claim_state == "verified" and membership.decided_at.date() < date(2024, 3, 1)
        for guess in ("", owners.UNUSABLE_PASSWORD_HASH, "correct horse battery staple"):
            assert authenticate(email, guess) is None
        request_password_reset(email)
        db.session.commit()
    response = login(client, email, owners.UNUSABLE_PASSWORD_HASH)
    assert response.status_code == 200 and "/tai-khoan" not in response.headers.get("Location", "")
    assert outbox.messages() == []


def test_generate_adds_the_asked_number_of_counted_attempts(app, runner):
    result = runner.invoke(
        args=[
            "demo",
            "generate",
            "--enterprises",
            "1500",
            "--assessments",
            "4000",
            "--chunk-size",
            "600",
            "--seed",
            "3",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "4,000 assessments" in result.output
    with app.app_context():
        attempts = all_of(Assessment)
        assert len(attempts) == 4000
        assert all(
            a.user_id is None
            and a.counted_at == a.submitted_at
            and a.counts_toward_indicators
            and a.status == "submitted"
            and a.enterprise.provenance == "generated"
            and a.enterprise.size_tier in SMES
            and a.enterprise.registered_on < a.submitted_at.date() <= province_today()
            for a in attempts
        )
        newest: dict[int, Assessment] = {}
        for a in attempts:
            if a.enterprise_id not in newest or newest[a.enterprise_id].submitted_at < a.submitted_at:
                newest[a.enterprise_id] = a
        latest = {row.enterprise_id: row.assessment_id for row in all_of(LatestAssessment)}
        assert latest == {k: a.id for k, a in newest.items()}
        enterprises = all_of(Enterprise)
        smes = [e for e in enterprises if e.size_tier in SMES]
        assert 0.25 < len(newest) / len(smes) < 0.45
        assert all((e.ceased_on is not None) == (e.status != "active") for e in enterprises)
        assert all(e.registered_on <= province_today() for e in enterprises)
        for listing in all_of(Listing):
            assert listing.last_verified_on == max(c.checked_on for c in listing.checks if c.is_available)

        # Another run continues the ids and the counts.
    again = runner.invoke(args=["demo", "generate", "--enterprises", "300", "--assessments", "500"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert len(all_of(Assessment)) == 4500
