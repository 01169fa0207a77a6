"""Issue 23, point 5: an enterprise whose known figures prove it an SME, whatever its missing revenue
or capital is, is an SME — a range of tiers (micro or small, small or medium, micro, small or medium)
— and only one that could be large (or whose employees or sector are not known) has an unknown size.
The directory filters on the ranges; the profile and the staff record say which figure is missing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app import rules
from app.directory import search
from app.domain.size import (
    ALL_TIERS,
    COUNTED_AS_SME,
    LARGE,
    SME_RANGES,
    SME_TIERS,
    UNKNOWN,
    classify_size,
    missing_figures,
    possible_tiers,
)
from app.extensions import db
from app.labels import SIZE_TIERS
from app.models import Enterprise
from tests.factories import login, make_enterprise, make_user

BN = 1_000_000_000
TS, AI = "trade_services", "agri_industry"


def test_the_stored_keys():
    assert SME_TIERS == ("micro", "small", "medium")  # app/checks.py holds size_tiers.yaml to these
    assert SME_RANGES == ("micro_small", "small_medium", "sme")
    assert COUNTED_AS_SME == ("micro", "small", "medium", "micro_small", "small_medium", "sme")
    assert set(COUNTED_AS_SME) | {"large", "unknown", "not_applicable"} == set(ALL_TIERS)
    assert all(len(tier) <= 20 for tier in ALL_TIERS)  # Enterprise.size_tier is String(20)
    assert set(ALL_TIERS) <= set(SIZE_TIERS)  # every key has its label


@pytest.mark.parametrize(
    "group, employees, revenue, capital, tier",
    [
        # The example: 80 employees and 150 bn revenue already decide it (medium: small
        # needs ≤ 50 employees), as before.
        (TS, 80, 150 * BN, None, "medium"),
        # The same revenue with 40 employees: small if capital ≤ 50 bn, medium otherwise.
        (TS, 40, 150 * BN, None, "small_medium"),
        (TS, 5, 250 * BN, None, "sme"),  # micro (capital ≤ 3 bn), small (≤ 50 bn) or medium
        (TS, 5, None, 40 * BN, "micro_small"),  # micro if revenue ≤ 10 bn, else small by capital
        (AI, 5, 4 * BN, None, "micro_small"),  # micro if capital ≤ 3 bn, else small by revenue
        (AI, 150, 180 * BN, None, "medium"),  # decided by the known figure
        # Could be large: unknown.
        (TS, 80, 400 * BN, None, UNKNOWN),  # medium if capital ≤ 100 bn, large above
        (AI, 150, None, 150 * BN, UNKNOWN),  # medium if revenue ≤ 200 bn, large above
        (TS, 5, 301 * BN, None, UNKNOWN),  # micro … medium by capital, or large
        # The sector groups' caps differ: the same figures, two answers.
        (TS, 40, 100 * BN, None, "small"),  # trade/services: revenue on the small cap
        (AI, 40, 100 * BN, None, "small_medium"),  # agri/industry: small only by capital ≤ 20 bn
        (TS, 60, 40 * BN, None, "medium"),  # trade/services: 60 > 50 employees, medium by revenue
        (AI, 60, 40 * BN, None, "small"),  # agri/industry: 60 ≤ 100 and revenue ≤ 50 bn
        (TS, 30, None, 30 * BN, "small"),  # trade/services: capital within small's 50 bn
        (AI, 30, None, 30 * BN, "small_medium"),  # agri/industry: small only by revenue ≤ 50 bn
        # On the caps (a figure equal to its cap fits).
        (AI, 10, None, 3 * BN, "micro"),
        (AI, 10, None, 3 * BN + 1, "micro_small"),
        (AI, 11, None, 3 * BN, "small"),
        (TS, 50, 100 * BN, None, "small"),
        (TS, 50, 100 * BN + 1, None, "small_medium"),
        (TS, 51, 100 * BN + 1, None, "medium"),
        (TS, 100, 300 * BN, None, "medium"),
        (TS, 100, 300 * BN + 1, None, UNKNOWN),
        (TS, 100, None, 100 * BN, "medium"),
        (TS, 100, None, 100 * BN + 1, UNKNOWN),
        (AI, 200, 200 * BN, None, "medium"),
        (AI, 200, 200 * BN + 1, None, UNKNOWN),
        (TS, 101, 1, None, LARGE),  # too many employees for any tier: large whatever the money
        (AI, 201, None, 1, LARGE),
        # Employees not known: unknown, whatever the money.
        (AI, None, 1 * BN, 1 * BN, UNKNOWN),
        (TS, None, 0, 0, UNKNOWN),
        (TS, None, 1 * BN, None, UNKNOWN),
        # Revenue and capital both missing: both could be huge, so large is possible.
        (AI, 5, None, None, UNKNOWN),
        (TS, 100, None, None, UNKNOWN),
        (TS, 101, None, None, LARGE),  # … unless the employees alone make it large
        # Sector group not known.
        (None, 5, 1 * BN, None, UNKNOWN),
        (None, 5, 1 * BN, 1 * BN, UNKNOWN),
    ],
)
def test_partial_figures(group, employees, revenue, capital, tier):
    assert classify_size(group, employees, revenue, capital) == tier


def test_the_possible_tiers():
    assert possible_tiers(TS, 40, 150 * BN, None) == {"small", "medium"}
    assert possible_tiers(TS, 5, 250 * BN, None) == {"micro", "small", "medium"}
    assert possible_tiers(TS, 80, 400 * BN, None) == {"medium", "large"}
    assert possible_tiers(AI, 5, None, None) == {"micro", "small", "medium", "large"}
    assert possible_tiers(AI, 5, 1 * BN, 1 * BN) == {"micro"}


TIERS = rules.load("size_tiers")["tiers"]
ALLOWED = {
    "micro": {"micro"},
    "small": {"small"},
    "medium": {"medium"},
    "large": {"large"},
    "micro_small": {"micro", "small"},
    "small_medium": {"small", "medium"},
    "sme": {"micro", "small", "medium"},
}
money = st.one_of(st.integers(0, 400 * BN), st.sampled_from([0, 3 * BN, 10 * BN, 20 * BN, 50 * BN, 100 * BN, 300 * BN]))


@given(
    group=st.sampled_from([AI, TS]),
    employees=st.integers(0, 250),
    known=money,
    tries=st.lists(money, min_size=1, max_size=8),
    missing=st.sampled_from(["revenue", "capital"]),
)
def test_a_range_holds_whatever_the_missing_figure_is(group, employees, known, tries, missing):
    """Whatever value the missing figure turns out to have, the tier is within what was said; a
    range's ends both happen; an unknown size is one that could be large."""
    args = (None, known) if missing == "revenue" else (known, None)
    said = classify_size(group, employees, *args, thresholds=TIERS)

    def actual(value):
        full = (value, known) if missing == "revenue" else (known, value)
        return classify_size(group, employees, *full, thresholds=TIERS)

    if said == UNKNOWN:
        assert actual(10**18) == LARGE
        return
    for value in tries:
        assert actual(value) in ALLOWED[said]
    reached = {actual(v) for c in TIERS for v in (c[group][missing], c[group][missing] + 1)} | {actual(0)}
    assert reached == ALLOWED[said]


def test_thresholds_that_do_not_rise_give_the_whole_range():
    odd = [
        {"tier": "micro", "x": {"employees": 10, "revenue": 10, "capital": 5}},
        {"tier": "small", "x": {"employees": 10, "revenue": 1, "capital": 1}},
        {"tier": "medium", "x": {"employees": 10, "revenue": 100, "capital": 100}},
    ]
    # Micro if capital ≤ 5, medium otherwise (small's caps are below micro's): not a range of
    # neighbours, said as micro, small or medium.
    assert possible_tiers("x", 5, 50, None, thresholds=odd) == {"micro", "medium"}
    assert classify_size("x", 5, 50, None, thresholds=odd) == "sme"


def test_missing_figures():
    assert missing_figures(5, 1, None) == ["capital"]
    assert missing_figures(5, None, 1) == ["revenue"]
    assert missing_figures(None, None, None) == ["employees", "revenue", "capital"]
    assert missing_figures(0, 0, 0) == []


# Pages: the directory's filter, the profile and the staff record.


@pytest.fixture
def partial(app):
    """A trade firm (VSIC 4711) that is small or medium, its capital not known, and two others."""
    with app.app_context():
        firm = make_enterprise(
            "Công ty TNHH Thương mại Sông Cầu", main_vsic="4711", employees=40, revenue_vnd=150 * BN, capital_vnd=None
        )
        make_enterprise("Công ty TNHH Thủy sản Hải Đăng", employees=8, revenue_vnd=2 * BN)  # micro
        make_enterprise(
            "Công ty Cổ phần Xây dựng Phú Yên", legal_form="cp", main_vsic="4101", employees=150, revenue_vnd=None
        )  # unknown: both money figures missing
        assert firm.size_tier == "small_medium"
        return firm.public_key


def names(client, url: str) -> list[str]:
    page = client.get(url).get_data(as_text=True)
    return re.findall(r'<h3 class="h6 mb-1"><a href="[^"]+">([^<]+)</a>', page)


def test_the_directory_filters_on_a_range(client, app, partial):
    assert names(client, "/doanh-nghiep?size=small_medium") == ["Công ty TNHH Thương mại Sông Cầu"]
    with app.test_request_context():
        results = search.run(search.Query())
        assert dict(results.facets["size"]) == {"small_medium": 1, "micro": 1, "unknown": 1}
        assert [e.public_key for e in search.run(search.Query(size="small_medium")).items] == [partial]
        by_size = [e.size_tier for e in search.run(search.Query(sort="size")).items]
        assert by_size == ["small_medium", "micro", "unknown"]
    client.set_cookie("lang", "en")
    page = client.get("/doanh-nghiep").get_data(as_text=True)
    assert "Small or medium" in page and "size=small_medium" in page


def test_the_api_accepts_and_shows_a_range(client, partial):
    body = client.get("/api/v1/enterprises?size=small_medium").get_json()
    assert [item["size_tier"] for item in body["items"]] == ["small_medium"]
    assert client.get("/api/v1/enterprises?size=middling").status_code == 400
    spec = client.get("/api/v1/openapi.json").get_json()
    size = next(p for p in spec["paths"]["/api/v1/enterprises"]["get"]["parameters"] if p["name"] == "size")
    assert {"micro_small", "small_medium", "sme"} <= set(size["schema"]["enum"])


@pytest.mark.parametrize(
    "language, text",
    [("en", "Small or medium — capital not known"), ("vi", "Nhỏ hoặc vừa — chưa có số liệu tổng nguồn vốn")],
)
def test_the_profile_says_which_figure_is_not_known(client, partial, language, text):
    client.set_cookie("lang", language)
    page = client.get(f"/doanh-nghiep/{partial}").get_data(as_text=True)
    assert text in page


def test_an_unknown_size_says_which_figures_are_not_known(client, app, partial):
    with app.app_context():
        key = db.session.scalar(
            select(Enterprise.public_key).where(Enterprise.name == "Công ty Cổ phần Xây dựng Phú Yên")
        )
    client.set_cookie("lang", "en")
    assert "Size unknown — revenue and capital not known" in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    client.set_cookie("lang", "vi")
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert "Chưa rõ quy mô — chưa có số liệu doanh thu và tổng nguồn vốn" in page


def test_a_decided_tier_says_nothing_missing(client, app):
    with app.app_context():
        key = make_enterprise(
            "Công ty TNHH Bán lẻ Tuy An", main_vsic="4711", employees=80, revenue_vnd=150 * BN
        ).public_key
    client.set_cookie("lang", "en")
    page = client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    assert ">Medium</dd>" in page and "not known" not in page


def test_the_staff_record_says_which_figure_is_not_known(client, app, partial):
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    client.set_cookie("lang", "en")
    assert "Small or medium — capital not known" in client.get(f"/so/ho-so/{partial}").get_data(as_text=True)
