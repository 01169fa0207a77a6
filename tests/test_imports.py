"""Bulk import of the registry, from a messy real-world spreadsheet to a committed, undoable batch."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date

import pytest
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.imports import apply, revert, services
from app.models import AuditEvent, Enterprise, ImportBatch
from app.registry import services as registry
from tests.factories import enterprise_code, make_enterprise, make_user

HEADER = [
    "ma_so_doanh_nghiep",
    "ten_doanh_nghiep",
    "loai_hinh",
    "ngay_thanh_lap",
    "ma_xa",
    "ten_xa",
    "dia_chi",
    "nganh_nghe_chinh",
    "so_lao_dong",
    "doanh_thu",
    "trang_thai",
]
A, B, C, D = (enterprise_code(n, prefix="44") for n in (101, 202, 303, 404))
NFD = unicodedata.normalize("NFD", "Công ty TNHH Thủy sản Hải Đăng")
GOOD = [
    [A, NFD, "tnhh mtv", "15/03/2015", "22015", "", "12 Lê Lợi", "1020", "8", "1.500.000.000", ""],
    [
        B,
        "Hợp tác xã Nông nghiệp Hòa Kiến",
        "HTX",
        "42005",
        "",
        "Xã Hòa Kiến",
        "",
        "A",
        "12",
        "",
        "tạm ngừng kinh doanh",
    ],
    [
        C,
        "Cong ty co phan Du lich Song Cau",
        "Cong ty co phan",
        "2018-06-01",
        "",
        "song cau",
        "",
        "5510",
        "40",
        "2,000,000,000",
        "dissolved",
    ],
]
BAD = [
    ["0100233480", '=HYPERLINK("http://x")', "CTCP", "", "22015", "", "", "", "", "", ""],  # row 5: check digit
    [enterprise_code(505), "Công ty Ma", "CTCP", "", "", "Xã Không Tồn Tại", "", "", "", "", ""],  # row 6
    [enterprise_code(606), "Công ty Tương Lai", "CTCP", "01/01/2999", "22015", "", "", "", "", "", ""],  # row 7
    [enterprise_code(707), "Công ty Âm", "CTCP", "", "22015", "", "", "", "-5", "", ""],  # row 8
    [A, "Công ty Trùng", "CTCP", "", "22015", "", "", "", "", "", ""],  # row 9: duplicate code
    [enterprise_code(808), "C«ng ty TNHH Thñy s¶n", "", "", "22015", "", "", "", "", "", ""],  # row 10: TCVN3
    [enterprise_code(909), "", "CTCP", "", "22015", "", "", "", "", "", ""],  # row 11: blank name
    [D, "Công ty Phường Chín", "DNTN", "", "", "Phường 9", "", "", "", "", ""],  # row 12: split, held
    [enterprise_code(1001), "Coâng ty Hoøa Bình", "CTCP", "", "22015", "", "", "", "", "", ""],  # row 13: VNI
    ["01002334", "Công ty Ngắn", "CTCP", "", "22015", "", "", "", "", "", ""],  # row 14: too short
]
EXPECTED = {
    (5, "ma_so_doanh_nghiep", "checksum"),
    (6, "ten_xa", "unknown_commune"),
    (7, "ngay_thanh_lap", "future_date"),
    (8, "so_lao_dong", "negative"),
    (9, "ma_so_doanh_nghiep", "duplicate"),
    (10, "ten_doanh_nghiep", "mojibake"),
    (11, "ten_doanh_nghiep", "required"),
    (13, "ten_doanh_nghiep", "mojibake"),
    (14, "ma_so_doanh_nghiep", "length"),
}


def to_csv(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    writer.writerow([""] * len(header))  # a blank line is skipped
    return buffer.getvalue().encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Excel writes it: a base letter, then a combining tone mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(m for m in parts if m in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(m for m in parts if m not in tones))
            out += base.encode("cp1258") + tones.encode("cp1258")
    return out


MESSY = to_csv(GOOD + BAD)


def _enterprises() -> dict[str, Enterprise]:
    return {e.code: e for e in db.session.scalars(select(Enterprise))}


def _snapshot():
    """Every record and every audit event (a record's last-change time aside)."""
    columns = [c for c in Enterprise.__table__.c if c.name != "updated_at"]
    rows = [tuple(r) for r in db.session.execute(select(*columns).order_by(Enterprise.id))]
    events = [tuple(r) for r in db.session.execute(select(AuditEvent.__table__).order_by(AuditEvent.id))]
    return rows, events


def test_dry_run_names_every_bad_row_and_changes_nothing(app_ctx):
    batch = services.check_file(MESSY, "messy.csv", audit.CLI)
    found = {(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]}
    assert found == EXPECTED
    assert batch.counts() == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 9, "held": 1}
    assert batch.report["held"][0]["row"] == 12
    assert {c for c, _name in batch.report["held"][0]["candidates"]} == {"22015", "22045"}
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0


def test_commit_imports_every_good_row_with_audit_and_provenance(app_ctx):
    batch = services.import_file(MESSY, "messy.csv", audit.CLI)
    assert batch.state == "committed" and batch.new_count == 3
    found = _enterprises()
    assert set(found) == {A, B, C}
    first, coop, hotel = found[A], found[B], found[C]
    assert first.name == "Công ty TNHH Thủy sản Hải Đăng" and first.legal_form == "tnhh1"
    assert first.revenue_vnd == 1_500_000_000 and first.founded_on == date(2015, 3, 15) and first.size_tier == "micro"
    assert coop.commune_code == "22045" and coop.legal_form == "htx" and coop.vsic_section == "A"
    assert coop.founded_on == date(2015, 1, 1) and coop.status == "suspended"
    assert hotel.commune_code == "22051" and hotel.legal_form == "cp" and hotel.revenue_vnd == 2_000_000_000
    assert hotel.status == "dissolved" and hotel.vsic_section == "I"
    assert {e.provenance for e in found.values()} == {"import"} and first.provenance_ref == str(batch.id)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.provenance == f"import:{batch.id}")).all()
    assert len(events) == 3 and {e.action for e in events} == {"create"}


def test_the_same_file_twice_changes_nothing(app_ctx):
    services.import_file(MESSY, "messy.csv", audit.CLI)
    before = _snapshot()
    again = services.import_file(MESSY, "messy.csv", audit.CLI)
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 3, "rejected": 9, "held": 1}
    assert _snapshot() == before


def test_a_changed_value_updates_and_a_blank_cell_keeps_what_is_known(app_ctx):
    services.import_file(MESSY, "messy.csv", audit.CLI)
    changed = [[A, NFD, "", "", "22015", "", "", "", "", "3.000.000.000", ""]]
    batch = services.import_file(to_csv(changed), "fix.csv", audit.CLI)
    assert batch.counts()["updated"] == 1
    first = _enterprises()[A]
    assert first.revenue_vnd == 3_000_000_000 and first.address == "12 Lê Lợi" and first.employees == 8
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.provenance == f"import:{batch.id}"))
    kept = event.before.pop("_history")  # the record's history as the import found it, for its undo
    assert event.before == {"revenue_vnd": 1_500_000_000} and event.after == {"revenue_vnd": 3_000_000_000}
    assert kept == [{**kept[0], "valid_from": "2015-03-15", "valid_to": None, "commune_code": "22015"}]


@pytest.mark.parametrize("failing_step", [1, 2, 3])
def test_a_failure_half_way_leaves_the_database_exactly_as_before(app_ctx, monkeypatch, failing_step):
    """Each record its own step here: the steps before the failing one were committed, and are taken back."""
    make_enterprise("Công ty TNHH Thủy sản Hải Đăng", code=A, revenue_vnd=900_000_000)
    before = _snapshot()
    calls = []

    def failing(rows):
        calls.append(len(rows))
        if len(calls) == failing_step:
            raise RuntimeError("disk full")
        return original(rows)

    original = apply.write_audit
    monkeypatch.setattr(apply, "CHUNK", 1)
    monkeypatch.setattr(apply, "write_audit", failing)
    with pytest.raises(services.Failed) as failed:  # the error itself goes to the log
        services.import_file(MESSY, "messy.csv", audit.CLI)
    assert isinstance(failed.value.__cause__, RuntimeError)
    db.session.rollback()
    assert len(calls) == failing_step
    assert _snapshot() == before
    assert db.session.scalar(select(ImportBatch)).state == "failed"


def test_undo_restores_changed_values_withdraws_new_records_and_a_reimport_brings_them_back(app_ctx):
    make_enterprise("Công ty TNHH Thủy sản Hải Đăng", code=A, revenue_vnd=900_000_000, address="Cũ")
    batch = services.import_file(MESSY, "messy.csv", audit.CLI)
    assert batch.counts()["new"] == 2 and batch.counts()["updated"] == 1
    assert services.undo(batch, audit.CLI) == 3
    found = _enterprises()
    assert found[A].revenue_vnd == 900_000_000 and found[A].address == "Cũ" and found[A].record_state == "published"
    assert found[B].record_state == found[C].record_state == "withdrawn"
    assert db.session.get(ImportBatch, batch.id).state == "undone"
    again = services.import_file(MESSY, "messy.csv", audit.CLI)
    assert again.counts()["updated"] == 3
    assert {e.record_state for e in _enterprises().values()} == {"published"}


def test_an_undo_that_fails_half_way_takes_back_its_steps_and_the_import_stays_committed(app_ctx, monkeypatch, caplog):
    make_enterprise("Công ty TNHH Thủy sản Hải Đăng", code=A, revenue_vnd=900_000_000, address="Cũ")
    batch = services.import_file(MESSY, "messy.csv", audit.CLI)
    after_import = _snapshot()
    calls = []

    def failing(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(rows)

    original = revert.write_audit
    monkeypatch.setattr(revert, "STEP", 1)  # each record its own step
    monkeypatch.setattr(revert, "write_audit", failing)
    with pytest.raises(services.Failed):
        services.undo(batch, audit.CLI)
    db.session.rollback()
    assert len(calls) == 2  # the first step (the restored record) was committed, then taken back
    assert _snapshot() == after_import
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.state == "committed" and batch.error == "unexpected" and "disk full" in caplog.text
    monkeypatch.setattr(revert, "write_audit", original)
    assert services.undo(batch, audit.CLI) == 3  # and it can be undone later
    assert _enterprises()[A].address == "Cũ"


def test_undo_is_refused_when_a_record_was_changed_since(app_ctx):
    batch = services.import_file(MESSY, "messy.csv", audit.CLI)
    registry.update_enterprise(_enterprises()[B], audit.CLI, "staff", employees=13)
    db.session.commit()
    with pytest.raises(services.UndoRefused) as refused:
        services.undo(batch, audit.CLI)
    assert refused.value.touched == [B]
    assert _enterprises()[C].record_state == "published"


def test_cli_dry_run_reports_rows_then_import_records_the_staff_member(app, runner, tmp_path):
    path = tmp_path / "so-lieu.csv"
    path.write_bytes(MESSY)
    result = runner.invoke(args=["registry", "import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "rejected 9" in result.output and "row 5, ma_so_doanh_nghiep: checksum" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 0
        make_user("staff@so.gov.vn", role="staff")
    result = runner.invoke(args=["registry", "import", str(path), "--as", "staff@so.gov.vn"])
    assert result.exit_code == 0, result.output
    assert "new 3" in result.output
    with app.app_context():
        batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
        assert batch.uploaded_by_label == "staff@so.gov.vn" and batch.state == "committed"
        assert set(_enterprises()) == {A, B, C}
    result = runner.invoke(args=["registry", "undo", str(batch.id)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert {e.record_state for e in _enterprises().values()} == {"withdrawn"}
