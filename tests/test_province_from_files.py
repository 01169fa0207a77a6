"""A small province imported in 2026 from the files a department has — its registry with
registration and cessation dates, an OCOP list, listings and their checks, labels and past
assessment results — gives the monthly series since January 2023 that a computation written here,
from the files alone, gives.

The province is drawn at random (seeded) so that every rule meets its edge cases: firms founded
and dissolved inside the series, suspensions over and running, labels verified mid-series, OCOP
certificates expiring, listings that stop selling, results that age out of their window, an
external result (not counted by default), a household business and a large firm (counted apart).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest

from app import audit
from app import indicator_settings as settings
from app.dates import months_before, series_days
from app.imports import services as imports
from app.progress import snapshots
from tests.factories import enterprise_code, province_today
from tests.test_imports import to_csv

TODAY = province_today()
COMMUNES = ("22015", "22045", "22051")
REGISTRY = ["ma_so_doanh_nghiep", "ten_doanh_nghiep", "loai_hinh", "ngay_thanh_lap", "ma_xa", "nganh_nghe_chinh",
            "so_lao_dong", "doanh_thu", "trang_thai", "ngay_tam_ngung", "tam_ngung_den_ngay", "ngay_cham_dut"]  # fmt: skip
PRODUCTS = ["ma_so_doanh_nghiep", "ten_san_pham", "loai_chung_nhan", "so_sao", "nhom_san_pham", "ngay_chung_nhan",
            "ngay_het_han"]  # fmt: skip
LISTINGS = ["ma_so_doanh_nghiep", "ten_san_pham", "san", "duong_dan", "ngay_kiem_tra", "con_ban"]
LABELS = ["ma_so_doanh_nghiep", "nhan", "can_cu", "ngay_xac_minh"]
RESULTS = ["ma_so_doanh_nghiep", "ngay_danh_gia", "bo_cong_cu", "ten_cong_cu", "muc_tong_the"]


def dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


@dataclass
class Firm:
    code: str
    form: str  # tnhh mtv | hkd
    founded: date
    employees: int
    ceased: date | None = None
    suspended: tuple[date, date | None] | None = None
    labels: dict[str, date] = field(default_factory=dict)  # "tech" | "startup" → verified on
    results: list[tuple[date, int, bool]] = field(default_factory=list)  # (day, level, external)

    def active_on(self, day: date) -> bool:
        if self.founded > day or (self.ceased and self.ceased <= day):
            return False
        if self.suspended:
            start, end = self.suspended
            return not (start <= day and (end is None or day < end))
        return True

    @property
    def is_sme(self) -> bool:
        return self.form != "hkd" and self.employees <= 10  # micro by employees and revenue (1 bn)


@dataclass
class Certified:
    firm: Firm
    name: str
    kind: str  # ocop | gi
    certified: date
    expires: date | None
    tourism: bool = False
    checks: list[tuple[date, bool]] = field(default_factory=list)  # one listing, its dated checks


def draw(seed: int) -> tuple[list[Firm], list[Certified]]:
    rng = random.Random(seed)

    def day_between(a: date, b: date) -> date:
        return a + timedelta(days=rng.randint(0, (b - a).days))

    firms = []
    for n in range(40):
        firm = Firm(enterprise_code(7000 + n, prefix="45"), "hkd" if n % 13 == 5 else "tnhh mtv",
                    day_between(date(2015, 1, 1), date(2026, 6, 30)), 500 if n == 7 else rng.choice((3, 5, 8)))  # fmt: skip
        roll = rng.random()
        if roll < 0.15:
            firm.ceased = day_between(
                max(firm.founded + timedelta(days=30), date(2022, 6, 1)), TODAY - timedelta(days=5)
            )
        elif roll < 0.3:
            start = day_between(max(firm.founded + timedelta(days=30), date(2022, 6, 1)), TODAY - timedelta(days=5))
            end = start + timedelta(days=rng.randint(60, 500))
            firm.suspended = (start, end if rng.random() < 0.7 else None)
        if firm.form != "hkd" and rng.random() < 0.25:
            firm.labels[rng.choice(("tech", "startup"))] = day_between(max(firm.founded, date(2022, 1, 1)), TODAY)
        for _ in range(rng.randint(0, 3)):
            day = day_between(max(firm.founded, date(2021, 1, 1)), TODAY - timedelta(days=1))
            firm.results.append((day, rng.randint(0, 4), rng.random() < 0.15))
        firms.append(firm)
    products = []
    for n, firm in enumerate(rng.sample(firms, 18)):
        kind = "gi" if n % 6 == 0 else "ocop"
        certified = day_between(max(firm.founded, date(2020, 1, 1)), TODAY - timedelta(days=1))
        expires = day_between(certified + timedelta(days=200), date(2030, 1, 1)) if kind == "gi" else None
        product = Certified(firm, f"Sản phẩm số {n}", kind, certified, expires, tourism=(n == 4))
        day = certified
        while not product.tourism and rng.random() < 0.8:
            day = day + timedelta(days=rng.randint(20, 300))
            if day >= TODAY:
                break
            product.checks.append((day, rng.random() < 0.8))
        products.append(product)
    return firms, products


def files(firms: list[Firm], products: list[Certified]) -> dict[str, bytes]:
    registry = []
    for f in firms:
        start, end = f.suspended or (None, None)
        registry.append([f.code, f"Cơ sở {f.code}", f.form, dmy(f.founded), COMMUNES[int(f.code[-2]) % 3], "1020",
                         str(f.employees), "1.000.000.000", "", dmy(start), dmy(end), dmy(f.ceased)])  # fmt: skip
    listings, url = [], "https://shopee.vn/san-pham-i.{}.{}"
    for n, p in enumerate(products):
        listings += [
            [p.firm.code, p.name, "Shopee", url.format(n, 1), dmy(day), "có" if ok else "không"] for day, ok in p.checks
        ]
    return {
        "registry": to_csv(registry, REGISTRY),
        "products": to_csv(
            [
                [
                    p.firm.code,
                    p.name,
                    "OCOP" if p.kind == "ocop" else "Chỉ dẫn địa lý",
                    "4" if p.kind == "ocop" else "",
                    "Dịch vụ du lịch" if p.tourism else "",
                    dmy(p.certified),
                    dmy(p.expires),
                ]
                for p in products
            ],  # fmt: skip
            PRODUCTS,
        ),
        "listings": to_csv(listings, LISTINGS),
        "labels": to_csv(
            [
                [f.code, "Công nghệ số" if k == "tech" else "Khởi nghiệp sáng tạo", "Quyết định của Sở", dmy(d)]
                for f in firms
                for k, d in f.labels.items()
            ],  # fmt: skip
            LABELS,
        ),
        "results": to_csv(
            [
                [
                    f.code,
                    dmy(d),
                    "Khảo sát DBI 2023" if ext else "dbi-sme",
                    "Khảo sát DBI 2023" if ext else "",
                    str(level),
                ]
                for f in firms
                for d, level, ext in f.results
            ],  # fmt: skip
            RESULTS,
        ),
    }


# --- the rules, written from the files ------------------------------------------------------------


def t5(firms: list[Firm], day: date, threshold: int, months: int) -> tuple[int, int]:
    smes = [f for f in firms if f.is_sme and f.active_on(day)]
    since = months_before(day, months)
    done = 0
    for f in smes:
        valid = sorted((d, level) for d, level, ext in f.results if not ext and since < d <= day)
        done += bool(valid) and valid[-1][1] >= threshold
    return done, len(smes)


def t6(firms: list[Firm], day: date) -> int:
    return sum(1 for f in firms if f.form != "hkd" and f.active_on(day) and any(d <= day for d in f.labels.values()))


def t4(products: list[Certified], day: date, validity: int, freshness: int) -> tuple[int, int]:
    counted = [
        p
        for p in products
        if p.firm.active_on(day)
        and p.certified <= day
        and not p.tourism
        and (p.expires is None and p.certified > months_before(day, validity) or p.expires and p.expires >= day)
    ]
    fresh_from = months_before(day, freshness)
    online = 0
    for p in counted:
        seen = [ok for d, ok in p.checks if d <= day]
        last = [(d, ok) for d, ok in p.checks if d <= day]
        online += bool(seen) and last[-1][1] and last[-1][0] > fresh_from
    return online, len(counted)


@pytest.mark.parametrize("seed", [2026, 7])
def test_a_province_imported_in_2026_gives_its_monthly_series_since_2023(app_ctx, seed):
    firms, products = draw(seed)
    for kind, data in files(firms, products).items():
        batch = imports.import_file(data, f"{kind}.csv", audit.CLI, kind=kind)
        assert batch.state == "committed" and batch.rejected_count == 0, (kind, batch.report.get("rejected"))
    s = settings.Settings(settings.defaults().values)
    days = series_days(s.plan_start, TODAY)
    assert days[0] == date(2023, 1, 31) and days[-1] == TODAY
    got = {code: snapshots.series(code, s, days) for code in ("T4", "T5", "T6")}
    # the province has a history to check: each figure moves over the months, none is empty
    for code in ("T4", "T5", "T6"):
        values = {(f.numerator, f.denominator) for f in got[code]}
        assert len(values) > 3 and any(f.numerator for f in got[code]), (code, values)
    for i, day in enumerate(days):
        expected_t5 = t5(firms, day, s.t5_threshold_level, s.t5_validity_months)
        assert (got["T5"][i].numerator, got["T5"][i].denominator) == expected_t5, day
        assert got["T6"][i].value == t6(firms, day), day
        expected_t4 = t4(products, day, s.ocop_validity_months, s.t4_freshness_months)
        assert (got["T4"][i].numerator, got["T4"][i].denominator) == expected_t4, day
