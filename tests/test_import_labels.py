"""Import of digital-technology and startup labels: each counts for T6 from its verification day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import audit
from app import indicator_settings as settings
from app.extensions import db
from app.imports import services as imports
from app.models import AuditEvent, Enterprise
from app.progress import indicators
from tests.factories import make_enterprise, province_today
from tests.test_imports import to_csv

HEADER = ["ma_so_doanh_nghiep", "nhan", "can_cu", "ngay_xac_minh"]


def _t6(day):
    return indicators.tech_and_startups(day, settings.Settings(settings.defaults().values))


def test_labels_count_from_their_verification_day_and_their_undo_takes_them_back(app_ctx):
    soft = make_enterprise("Công ty TNHH Phần mềm Biển Xanh", main_vsic="6201", founded_on=date(2015, 1, 1))
    lab = make_enterprise(
        "Công ty Cổ phần Sáng tạo Tuy Hòa", legal_form="cp", main_vsic="7210", founded_on=date(2019, 1, 1)
    )
    rows = [
        [soft.code, "Công nghệ số", "VSIC 6201; doanh thu phần mềm 80%", "15/09/2024"],
        [lab.code, "KNST", "Quyết định 12/QĐ-SKHCN", "01/03/2025"],
        [lab.code, "cns", "Sản xuất thiết bị IoT", "01/06/2025"],
    ]
    batch = imports.import_file(to_csv(rows, HEADER), "nhan.csv", audit.CLI, kind="labels")
    assert batch.state == "committed" and batch.updated_count == 3, batch.report
    assert _t6(date(2024, 6, 30)).value == 0
    assert _t6(date(2024, 12, 31)).value == 1
    end_2025 = _t6(date(2025, 12, 31))
    assert end_2025.value == 2 and end_2025.extra["split"] == {"tech": 1, "startup": 0, "both": 1}
    lab = db.session.get(Enterprise, lab.id)
    assert (lab.is_startup, lab.startup_verification, lab.startup_verified_on) == (True, "verified", date(2025, 3, 1))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.provenance == f"import:{batch.id}")).all()
    assert len(events) == 3 and {e.entity_type for e in events} == {"enterprise"}
    again = imports.import_file(to_csv(rows, HEADER), "nhan.csv", audit.CLI, kind="labels")
    assert again.counts()["unchanged"] == 3
    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert _t6(date(2025, 12, 31)).value == 0 and _t6(province_today()).value == 0
    assert db.session.get(Enterprise, soft.id).is_digital_tech is False


def test_label_rows_that_cannot_be_read_are_named(app_ctx):
    firm = make_enterprise("Công ty TNHH Phần mềm Biển Xanh", main_vsic="6201")
    rows = [
        ["4400000000", "Công nghệ số", "VSIC 6201", ""],
        [firm.code, "Nhãn xanh", "VSIC 6201", ""],
        [firm.code, "Khởi nghiệp sáng tạo", "", ""],
        [firm.code, "Công nghệ số", "VSIC 6201", "01/01/2099"],
    ]
    batch = imports.check_file(to_csv(rows, HEADER), "sai.csv", audit.CLI, kind="labels")
    found = [(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]]
    assert found == [
        (2, "ma_so_doanh_nghiep", "not_in_registry"),
        (3, "nhan", "bad_label"),
        (4, "can_cu", "required"),
        (5, "ngay_xac_minh", "future_date"),
    ]
