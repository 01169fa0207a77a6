"""`flask demo load` (the demo province) and `flask demo generate` (scale data)."""

from __future__ import annotations

import random
import re
import stat
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from stdnum.vn import mst

from app.auth.services import authenticate
from app.demo.composer import Commune, Composer
from app.extensions import db
from app.models import Commune as CommuneRow
from app.models import Enterprise, EnterpriseSolution, Listing, Membership, Platform, Product, User
from app.registry import certificates
from app.registry.services import commune_name, derive, name_fields
from app.solutions import category_names

HOUSEHOLD_KEY = re.compile(r"^HKD-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$")


@pytest.fixture
def instance(app, tmp_path) -> Path:
    """A private instance folder, so the tests never overwrite a developer's demo-credentials.txt."""
    app.instance_path = str(tmp_path / "instance")
    return Path(app.instance_path)


def invoke(runner, *args: str) -> str:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def all_enterprises(provenance: str) -> list[Enterprise]:
    return db.session.scalars(select(Enterprise).where(Enterprise.provenance == provenance)).all()


def assert_derived_like_registry(enterprises: list[Enterprise]) -> None:
    """Bulk-inserted rows carry the derived fields registry.services.derive() would give them."""
    for e in enterprises:
        expected = derive(
            {
                "name": e.name,
                "legal_form": e.legal_form,
                "main_vsic": e.main_vsic,
                "employees": e.employees,
                "revenue_vnd": e.revenue_vnd,
                "capital_vnd": e.capital_vnd,
                "commune_code": e.commune_code,
                "product_names": [p.name for p in e.products if p.is_active],
            }
        )
        fields = ("name", "name_folded", "name_lower", "name_sort", "vsic_section", "size_tier")
        assert [getattr(e, f) for f in fields] == [expected[f] for f in fields], e
        if e.provenance == "demo":  # with its description and declared solutions, which derive() has not
            codes = db.session.scalars(
                select(EnterpriseSolution.category).where(EnterpriseSolution.enterprise_id == e.id)
            ).all()
            names = [p.name for p in e.products if p.is_active]
            searched = name_fields(e.name, commune_name(e.commune_code), names, e.description, category_names(codes))
            assert e.search_text == searched["search_text"], e


def test_demo_load_builds_a_province_of_valid_enterprises(app, runner, instance):
    kept = instance / "demo-files"
    output = invoke(runner, "demo", "load", "--files-dir", str(kept))
    assert "3,000 enterprises" in output
    # imported from files in the import formats, kept to be looked at (tests/test_demo_files.py)
    names = ["1-registry.csv", "2-labels.csv", "3-products.xlsx", "4-listings.csv", "5-results.csv"]
    assert sorted(p.name for p in kept.iterdir()) == names
    assert re.search(r"1-registry\.csv: batch \d+, 3,000 rows, 3,000 new", output) and all(n in output for n in names)
    with app.app_context():
        enterprises = all_enterprises("demo")
        assert len(enterprises) == db.session.scalar(select(func.count()).select_from(Enterprise)) == 3_000

        codes = [e.code for e in enterprises if e.code]
        assert len(codes) == len(set(codes))
        assert all(mst.is_valid(code) and mst.format(code) == code for code in codes)
        by_code = {e.code: e for e in enterprises if e.code}
        branches = [e for e in enterprises if e.legal_form == "branch"]
        assert branches and all(len(b.code) == 14 and b.code[:10] in by_code for b in branches)

        households = [e for e in enterprises if e.legal_form == "hkd"]
        assert 0.12 < len(households) / len(enterprises) < 0.18
        assert all(h.code is None and HOUSEHOLD_KEY.match(h.public_key) for h in households)
        assert all(re.fullmatch(r"\d{12}", h.personal_id) for h in households)
        public_keys = {e.public_key for e in enterprises}
        assert not public_keys & {e.personal_id for e in enterprises if e.personal_id}
        assert all(e.public_key == e.code for e in enterprises if e.code)

        region = set(db.session.scalars(select(CommuneRow.code).where(CommuneRow.former_province == "Phú Yên (54)")))
        assert {e.commune_code for e in enterprises} <= region
        assert len({e.commune_code for e in enterprises}) > 25

        names = [e.name for e in enterprises]
        assert all(unicodedata.is_normalized("NFC", n) for n in names)
        assert len({e.name_folded for e in enterprises}) == len(enterprises)
        assert_derived_like_registry(enterprises)

        tiers = {
            tier: sum(e.size_tier == tier for e in enterprises)
            for tier in ("micro", "small", "medium", "large", "unknown")
        }
        assert tiers["micro"] > tiers["small"] > tiers["medium"] > tiers["large"] > 0 and tiers["unknown"] > 0
        inactive = sum(e.status != "active" for e in enterprises)
        assert 0.01 < inactive / len(enterprises) < 0.06


def test_demo_load_flags_verified_tech_firms_and_recent_startups(app, runner, instance):
    invoke(runner, "demo", "load")
    with app.app_context():
        tech = [e for e in all_enterprises("demo") if e.is_digital_tech]
        assert 50 <= len(tech) <= 70
        verified = [e for e in tech if e.digital_tech_verification == "verified"]
        assert 3 <= len(tech) - len(verified) <= 12  # a few requests the department has not decided
        assert all(e.main_vsic in e.digital_tech_basis for e in tech)
        assert all(e.description and e.vsic_section == "J" for e in tech)
        startups = [e for e in tech if e.is_startup]
        assert len(startups) >= 5
        assert all(e.founded_on.year >= 2022 and e.startup_basis for e in startups)
        assert sum(e.startup_verification == "verified" for e in startups) >= 5
        stages = {"idea", "prototype", "early_revenue", "growth", "scale"}
        assert all(e.stage in stages for e in startups)
        assert sum(e.funding_sought_vnd is not None for e in startups) >= len(startups) // 2


def test_demo_load_certifies_products_and_lists_some_on_platform_domains(app, runner, instance):
    invoke(runner, "demo", "load")
    with app.app_context():
        products = db.session.scalars(select(Product)).all()
        assert 215 <= len(products) <= 245
        ocop = [p for p in products if p.certification == "ocop"]
        assert len(ocop) > 0.9 * len(products)
        assert {p.ocop_stars for p in ocop} == {3, 4, 5}
        assert (
            sum(p.ocop_stars == 3 for p in ocop)
            > sum(p.ocop_stars == 4 for p in ocop)
            > sum(p.ocop_stars == 5 for p in ocop)
        )
        for p in ocop:  # the current certificate (a renewal's, for most older products): 36 months
            assert 2019 <= p.certified_on.year <= 2026
            assert p.expires_on is None  # valid for the months the department sets, as the owners' form keeps it
            assert certificates.valid_until(p, 36) == p.certified_on.replace(year=p.certified_on.year + 3) - timedelta(
                1
            )
        marks = {p.name: p for p in products if p.certification != "ocop"}
        assert marks["Tôm hùm bông Phú Yên"].certification == "gi"
        assert all(p.ocop_stars is None for p in marks.values())
        assert all(p.enterprise.provenance == "demo" and p.enterprise.legal_form != "branch" for p in products)

        listings = db.session.scalars(select(Listing)).all()
        domains = {p.code: p.domains.split() for p in db.session.scalars(select(Platform))}
        for listing in listings:
            host = urlsplit(listing.url).hostname
            assert urlsplit(listing.url).scheme == "https"
            assert any(host == d or host.endswith("." + d) for d in domains[listing.platform_code]), listing.url
        listed = len({listing.product_id for listing in listings})
        assert 0.35 < listed / len(products) < 0.6


DEMO_EMAILS = {
    "owner.demo@example.com": "owner",
    "startup.demo@example.com": "owner",
    "investor.demo@example.com": "investor",
    "staff.demo@example.com": "staff",
    "admin.demo@example.com": "admin",
}


def demo_account_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.email.in_(DEMO_EMAILS)))


def test_demo_load_writes_the_demo_accounts_once(app, runner, instance):
    output = invoke(runner, "demo", "load")
    path = instance / "demo-credentials.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    text = path.read_text(encoding="utf-8")
    assert text.strip() in output
    assert "\nstartup manager\n  e-mail:   startup.demo@example.com" in text
    with app.app_context():
        for email, role in DEMO_EMAILS.items():
            password = re.search(rf"{re.escape(email)}\n\s+password: (\S+)", text).group(1)
            user = authenticate(email, password)
            assert user is not None and user.role == role
            assert user.has_two_factor == (role in ("staff", "admin"))
            if user.has_two_factor:
                assert user.totp_secret in text and f"flask --app app users totp {email}" in text
        owner = db.session.scalar(select(User).where(User.email == "owner.demo@example.com"))
        membership = db.session.scalar(select(Membership).where(Membership.user_id == owner.id))
        assert membership.claim_state == "verified" and membership.enterprise.products
        manager = db.session.scalar(select(User).where(User.email == "startup.demo@example.com"))
        membership = db.session.scalar(select(Membership).where(Membership.user_id == manager.id))
        assert membership.claim_state == "verified" and membership.enterprise.is_startup
        assert f"acts for: {membership.enterprise.name} ({membership.enterprise.public_key})" in text

    again = invoke(runner, "demo", "load")
    assert "already loaded" in again and "password" not in again
    assert path.read_text(encoding="utf-8") == text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 3_000
        assert demo_account_count() == 5


def test_demo_composer_is_deterministic_for_a_seed():
    communes = [
        Commune("22015", "Tuy Hòa", ("Hòa Kiến",)),
        Commune("22165", "Sơn Hòa", ("Sơn Hà",)),
    ]

    def drafts(seed: int) -> list[dict]:
        composer = Composer(random.Random(seed), communes, date(2026, 6, 30))
        return [composer.draft(household=i % 7 == 0).fields for i in range(200)]

    assert drafts(1) == drafts(1)
    assert drafts(1) != drafts(2)


def test_generate_adds_exactly_n_enterprises_with_unique_valid_codes(app, runner, instance):
    invoke(runner, "demo", "load")
    output = invoke(runner, "demo", "generate", "--enterprises", "2000", "--seed", "5", "--chunk-size", "700")
    assert "2,000 / 2,000 enterprises" in output and "rows/s" in output
    with app.app_context():
        generated = all_enterprises("generated")
        assert len(generated) == 2_000
        assert_derived_like_registry(generated[:300])
        assert all(HOUSEHOLD_KEY.match(e.public_key) for e in generated if e.legal_form == "hkd")
        assert (
            db.session.scalar(
                select(func.count()).select_from(Product).join(Enterprise).where(Enterprise.provenance == "generated")
            )
            > 50
        )

    invoke(runner, "demo", "generate", "--enterprises", "500", "--seed", "5")
    with app.app_context():
        everyone = db.session.scalars(select(Enterprise)).all()
        assert len(everyone) == 3_000 + 2_500
        codes = [e.code for e in everyone if e.code]
        assert len(codes) == len(set(codes)) and all(mst.is_valid(c) for c in codes)
        assert len({e.public_key for e in everyone}) == len(everyone)
        demo_codes = {e.code[:2] for e in everyone if e.provenance == "demo" and e.code}
        assert demo_codes == {"44"}


def test_generate_takes_the_country_s_share_of_household_businesses(app, runner, instance):
    """Vietnam has several million household businesses beside a million enterprises: --households
    gives a generated registry that shape (issue 24's national measurement)."""
    invoke(runner, "demo", "generate", "--enterprises", "1000", "--seed", "3", "--households", "0.8")
    with app.app_context():
        generated = all_enterprises("generated")
        households = sum(e.legal_form == "hkd" for e in generated)
    assert len(generated) == 1000 and 740 <= households <= 860
