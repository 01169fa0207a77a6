"""The dry run refuses what the registry's columns would refuse at commit (a text longer than its
column, a number larger than its integer), as row errors naming the column, on SQLite as on
PostgreSQL: a batch checked clean commits on both."""

from __future__ import annotations

import io

import pytest
import xlsxwriter
from flask_babel import force_locale
from sqlalchemy import func, select

from app import audit
from app.extensions import db
from app.imports import services
from app.imports.reasons import message
from app.imports.sizes import LENGTHS
from app.models import Enterprise
from tests.factories import enterprise_code, make_enterprise
from tests.test_imports import to_csv

HEADER = ["ma_so_doanh_nghiep", "ten_doanh_nghiep", "loai_hinh", "ma_xa", "dia_chi", "dien_thoai", "email"]
HEADER += ["website", "so_lao_dong", "doanh_thu"]


def _row(n: int, **cells) -> list[str]:
    values = {"ten_doanh_nghiep": f"Công ty TNHH Số {n}", "loai_hinh": "TNHH", "ma_xa": "22015"} | cells
    return [enterprise_code(n, prefix="44"), *(values.get(h, "") for h in HEADER[1:])]


def _check_and_commit(rows: list[list[str]]):
    batch = services.check_file(to_csv(rows, header=HEADER), "co.csv", audit.CLI)
    rejected = [(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]]
    services.commit_batch(batch, audit.CLI)  # what the check let through, the database takes
    assert db.session.get(type(batch), batch.id).state == "committed"
    return batch, rejected


def test_a_name_of_twenty_thousand_characters_is_a_row_error_of_the_dry_run(app_ctx):
    long_name = "Công ty TNHH " + "Hải Đăng " * 2222  # 20,011 characters: the CSV reader takes it
    batch, rejected = _check_and_commit([_row(1), _row(2, ten_doanh_nghiep=long_name), _row(3)])
    assert rejected == [(3, "ten_doanh_nghiep", "too_long")]
    assert batch.new_count == 2 and db.session.scalar(select(func.count()).select_from(Enterprise)) == 2
    assert len(batch.report["rejected"][0]["name"]) <= 300  # the report keeps no 20,000 characters either


TOO_LONG = {
    "dia_chi": "Số " + "9" * 500,
    "dien_thoai": "0" * 31,
    "email": "a" * 250 + "@x.vn",
    "website": "haidang.vn/" + "a" * 285,  # 296 typed; stored with https:// in front, 304
}


@pytest.mark.parametrize("column", TOO_LONG)
def test_every_text_column_is_checked_against_its_length_as_stored(app_ctx, column):
    _batch, rejected = _check_and_commit([_row(1, **{column: TOO_LONG[column]}), _row(2)])
    assert rejected == [(2, column, "too_long")]


def test_numbers_beyond_their_integer_columns_are_row_errors(app_ctx):
    """A number cell of a workbook is taken as it is (a typed amount stops at 10^16): 10^19 does not fit
    a BIGINT, three billion employees not an INTEGER; infinity is no number."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for n, (employees, revenue) in enumerate(((3_000_000_000, 1), (8, 10**19), (2_147_483_647, 1), (8, 1)), start=1):
        sheet.write_row(n, 0, _row(n)[:8])
        sheet.write_number(n, 8, employees)
        sheet.write_number(n, 9, revenue)
    sheet.write_formula(4, 9, "=1/0", None, float("inf"))
    book.close()
    batch = services.check_file(out.getvalue(), "so.xlsx", audit.CLI)
    rejected = [(r["row"], r["column"], r["reason"]) for r in batch.report["rejected"]]
    assert rejected == [(2, "so_lao_dong", "too_large"), (3, "doanh_thu", "too_large"), (5, "doanh_thu", "bad_number")]
    services.commit_batch(batch, audit.CLI)
    assert db.session.get(type(batch), batch.id).state == "committed"


def test_a_name_whose_folded_form_outgrows_its_column_is_refused_too(app_ctx):
    """Each Hangul syllable folds to two letters: 200 of them fit the name's 300, not name_folded's."""
    _batch, rejected = _check_and_commit([_row(1, ten_doanh_nghiep="Công ty TNHH " + "가" * 200), _row(2)])
    assert rejected == [(2, "ten_doanh_nghiep", "too_long")]


def test_an_update_is_checked_as_a_new_record_is(app_ctx):
    make_enterprise(code=enterprise_code(1, prefix="44"))
    db.session.commit()
    _batch, rejected = _check_and_commit([_row(1, dia_chi="x" * 501)])
    assert rejected == [(2, "dia_chi", "too_long")]


def test_the_reason_names_the_column_s_length_read_from_the_model(app_ctx):
    assert LENGTHS["name"] == Enterprise.__table__.c.name.type.length == 300
    with force_locale("en"):
        said = message("too_long", "x", "ten_doanh_nghiep")
        assert "300" in said and "shorten" in said
        assert "2,147,483,647" in message("too_large", "3000000000", "so_lao_dong")
