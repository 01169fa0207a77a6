"""Hostile workbooks are refused before they cost memory; an over-long CSV cell is a row error."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
import xlsxwriter

from app import audit
from app.imports import services
from app.imports.reading import FileError
from tests.factories import enterprise_code
from tests.test_imports import to_csv

HEADER = ["ma_so_doanh_nghiep", "ten_doanh_nghiep", "ma_xa"]


def _far_cell_workbook() -> bytes:
    """A workbook of about 6 KB with cells at A1 and XFD1048576: read naively, a 512 GiB range."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    sheet.write(1048575, 16383, "x")
    book.close()
    return out.getvalue()


def _bomb(rows: int) -> bytes:
    """A small zip that unpacks to a sheet of many rows (the 5-million-row bomb, smaller)."""
    body = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(2, rows + 2))
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ma_so_doanh_nghiep</t>'
        f"</is></c></row>{body}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def test_a_workbook_with_a_far_cell_is_refused_before_it_is_read(app_ctx):
    data = _far_cell_workbook()
    assert len(data) < 10_000
    tracemalloc.start()
    with pytest.raises(FileError) as refused:
        services.check_file(data, "xa.xlsx", audit.CLI)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.reason == "too_big" and "64" in str(refused.value.message)
    assert peak < 20 * 1024 * 1024


def test_a_zip_bomb_is_refused_from_its_rows_without_unpacking_it_whole(app, app_ctx):
    app.config["IMPORT_MAX_ROWS"] = 1_000
    data = _bomb(50_000)
    assert len(data) < 400_000  # unpacks to about 4 MB
    tracemalloc.start()
    with pytest.raises(FileError) as refused:
        services.check_file(data, "bom.xlsx", audit.CLI)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert refused.value.reason == "too_big" and peak < 20 * 1024 * 1024


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_from_its_declared_sizes(app, app_ctx):
    app.config["IMPORT_MAX_UNPACKED_MB"] = 1
    with pytest.raises(FileError) as refused:
        services.check_file(_bomb(30_000), "lon.xlsx", audit.CLI)
    assert refused.value.reason == "too_big"


def test_a_large_upload_of_a_hostile_workbook_fails_its_batch_with_the_reason(client, app):
    from tests.test_import_jobs import _batch
    from tests.test_import_pages import _staff, _upload

    app.config["IMPORT_BACKGROUND_BYTES"] = 0
    _staff(client, app)
    response = _upload(client, _far_cell_workbook(), "xa.xlsx")
    batch_id = int(response.headers["Location"].rsplit("/", 1)[1])
    batch = _batch(app, batch_id)
    assert batch.state == "failed" and "64" in batch.error


def test_a_csv_cell_longer_than_the_reader_takes_is_a_row_error(app_ctx):
    rows = [
        [enterprise_code(1, prefix="44"), "Công ty TNHH Một", "22015"],
        [enterprise_code(2, prefix="44"), "x" * 200_000, "22015"],
        [enterprise_code(3, prefix="44"), "Công ty TNHH Ba", "22015"],
    ]
    batch = services.import_file(to_csv(rows, header=HEADER), "dai.csv", audit.CLI)
    assert [(r["row"], r["reason"]) for r in batch.report["rejected"]] == [(3, "cell_too_long")]
    assert batch.counts()["new"] == 2 and batch.state == "committed"
