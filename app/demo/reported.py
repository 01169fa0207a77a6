"""Reported values of the demo province: what the department's reports said on T1–T3, and when.

Made-up but plausible, from the baseline of December 2022 to mid-2026: online public services reached 100% in 2025 (T1 met), province-level
records processed online reached 92% (met) while communes reached 55% (missed), and the digital
economy reached about 7.5% of GRDP (missed). Districts stopped existing on 1 July 2025, so the
district figure ends there. From March 2025 the reports come from the Department of Science and
Technology, which absorbed the Department of Information and Communications; from July 2025 the
province is Đắk Lắk.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Indicator, IndicatorValue

ENTERED_BY = "demo"

# (indicator code, value, as of, report number, report day, note)
VALUES: tuple[tuple[str, str, date, int, date, str | None], ...] = (
    # The baseline the plan started from (the report of January 2023).
    ("T1", "52", date(2022, 12, 31), 12, date(2023, 1, 16), "Số liệu nền khi bắt đầu kế hoạch."),
    ("T2-province", "58", date(2022, 12, 31), 12, date(2023, 1, 16), None),
    ("T2-district", "35", date(2022, 12, 31), 12, date(2023, 1, 16), None),
    ("T2-commune", "18", date(2022, 12, 31), 12, date(2023, 1, 16), None),
    ("T3", "4.6", date(2022, 12, 31), 12, date(2023, 1, 16), "Ước tính."),
    (
        "T1",
        "64",
        date(2023, 6, 30),
        118,
        date(2023, 7, 12),
        "Dịch vụ công trực tuyến toàn trình trên tổng số thủ tục đủ điều kiện.",
    ),
    ("T1", "81", date(2023, 12, 31), 15, date(2024, 1, 16), None),
    ("T1", "93", date(2024, 12, 31), 21, date(2025, 1, 20), None),
    (
        "T1",
        "100",
        date(2025, 12, 31),
        9,
        date(2026, 1, 14),
        "Toàn bộ thủ tục đủ điều kiện đã cung cấp trực tuyến toàn trình, cả trên ứng dụng di động.",
    ),
    ("T1", "100", date(2026, 6, 30), 132, date(2026, 7, 10), None),
    ("T2-province", "71", date(2023, 12, 31), 15, date(2024, 1, 16), None),
    ("T2-province", "84", date(2024, 12, 31), 21, date(2025, 1, 20), None),
    (
        "T2-province",
        "92",
        date(2025, 12, 31),
        9,
        date(2026, 1, 14),
        "Hồ sơ công việc cấp tỉnh xử lý trên môi trường mạng.",
    ),
    ("T2-province", "94", date(2026, 6, 30), 132, date(2026, 7, 10), None),
    ("T2-district", "48", date(2023, 12, 31), 15, date(2024, 1, 16), None),
    ("T2-district", "63", date(2024, 12, 31), 21, date(2025, 1, 20), None),
    (
        "T2-district",
        "71",
        date(2025, 6, 30),
        96,
        date(2025, 7, 8),
        "Số liệu cuối cùng: cấp huyện kết thúc hoạt động từ ngày 01/07/2025.",
    ),
    ("T2-commune", "27", date(2023, 12, 31), 15, date(2024, 1, 16), None),
    ("T2-commune", "39", date(2024, 12, 31), 21, date(2025, 1, 20), None),
    (
        "T2-commune",
        "55",
        date(2025, 12, 31),
        9,
        date(2026, 1, 14),
        "Các xã, phường mới sau sắp xếp còn thiếu thiết bị và nhân lực.",
    ),
    ("T2-commune", "61", date(2026, 6, 30), 132, date(2026, 7, 10), None),
    (
        "T3",
        "5.2",
        date(2023, 12, 31),
        28,
        date(2024, 3, 5),
        "Ước tính theo phương pháp của Tổng cục Thống kê.",
    ),
    ("T3", "6.3", date(2024, 12, 31), 34, date(2025, 3, 11), "Ước tính."),
    (
        "T3",
        "7.5",
        date(2025, 12, 31),
        31,
        date(2026, 3, 9),
        "Ước tính; số liệu chính thức công bố sau.",
    ),
)


def source_document(number: int, day: date) -> str:
    """The report a figure comes from, named as the issuing department numbers it."""
    office = "STTTT" if day < date(2025, 3, 1) else "SKHCN"
    return f"Báo cáo số {number}/BC-{office} ngày {day:%d/%m/%Y}"


def add_reported_values(as_of: date) -> int:
    """Add the reports issued by ``as_of`` for the indicators the database holds (flushes)."""
    indicators = {i.code: i.id for i in db.session.scalars(select(Indicator).where(Indicator.kind == "reported"))}
    added = 0
    for code, value, figure_day, number, report_day, note in VALUES:
        if code not in indicators or report_day > as_of:
            continue
        db.session.add(
            IndicatorValue(
                indicator_id=indicators[code],
                value=Decimal(value),
                as_of=figure_day,
                source_document=source_document(number, report_day),
                note=note,
                entered_by_label=ENTERED_BY,
                entered_at=datetime.combine(report_day, time(3, 0), tzinfo=UTC),
            )
        )
        added += 1
    db.session.flush()
    return added
