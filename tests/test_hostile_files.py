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
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
FIRST_ROW = '<row r="1"><c r="A1" t="inlineStr"><is><t>ma_so_doanh_nghiep</t></is></c></row>'
FAR = '<c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>'


def _book(*sheets: str, head: str = "", prolog: str = "", quote: str = '"', first: int = 1, names=None) -> bytes:
    """A workbook written part by part: each sheet's sheetData content (after `head`, where a
    <dimension> goes), the workbook naming sheet number `first` first, with `quote` around its values."""
    order = [first, *(n for n in range(1, len(sheets) + 1) if n != first)]
    q = quote
    entries = "".join(f"<sheet name={q}S{n}{q} sheetId={q}{n}{q} r:id={q}rId{n}{q}/>" for n in order)
    relations = "".join(
        f'<Relationship Id="rId{n}" Type="worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{OFFICE}" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships"><sheets>{entries}</sheets></workbook>',
        )
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{RELS}">{relations}</Relationships>')
        for n, body in enumerate(sheets, start=1):
            z.writestr(
                f"xl/worksheets/sheet{n}.xml",
                f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{MAIN}">{head}<sheetData>{body}'
                "</sheetData></worksheet>",
            )
        for name, text in (names or {}).items():
            z.writestr(name, text)
    return out.getvalue()


@pytest.fixture
def no_reader(monkeypatch):
    """The reader must never be reached: were it, it would allocate the whole range and abort."""
    import python_calamine

    class Unreachable:
        @staticmethod
        def from_filelike(_file):
            raise AssertionError("the workbook reached the reader")

        from_path = from_filelike

    monkeypatch.setattr(python_calamine, "CalamineWorkbook", Unreachable)


def _refused(data: bytes, reason: str = "too_big") -> str:
    with pytest.raises(FileError) as refused:
        services.check_file(data, "xa.xlsx", audit.CLI)
    assert refused.value.reason == reason, refused.value.message
    return str(refused.value.message)  # in the page's language: Vietnamese by default


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


def _padding() -> str:
    """What the far cell hides behind: a megabyte of spaces and comments, and an attribute full of
    ">" (legal in a quoted value) before its reference."""
    spaces = " \n" * 300_000
    comment = "<!-- " + '<c r="A2"> > ' * 20_000 + "-->"
    return f'<row r="2">{spaces}{comment}<c t="inlineStr" s="0" x:note="{">" * 200_000}" r="XFD1048576"><is><t>x</t></is></c></row>'


HIDDEN_FAR_CELLS = {
    "single_quotes": "<row r='1048576'><c r='XFD1048576' t='inlineStr'><is><t>x</t></is></c></row>",
    "spaces": '<row r = "1048576" ><c r = "XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "padded": _padding(),
    "lower_case": '<row r="2"><c r="xfd1048576" t="inlineStr"><is><t>x</t></is></c></row>',
    "row_only": '<row r="1048576"><c t="inlineStr"><is><t>x</t></is></c></row>',
    "cells_without_reference": '<row r="2">' + '<c t="inlineStr"><is><t>x</t></is></c>' * 65 + "</row>",
}


@pytest.mark.parametrize("hidden", HIDDEN_FAR_CELLS)
def test_a_far_cell_however_its_reference_is_written_is_refused_before_the_reader(app_ctx, no_reader, hidden):
    data = _book(FIRST_ROW + HIDDEN_FAR_CELLS[hidden])
    assert len(data) < 5_000
    message = _refused(data)
    assert "tối đa" in message and "64" in message


def test_a_dimension_beyond_the_limits_is_refused(app_ctx, no_reader):
    message = _refused(_book(FIRST_ROW, head="<dimension ref='A1:XFD1048576'/>"))
    assert "tối đa" in message


def test_every_part_that_could_be_a_sheet_is_measured(app_ctx, no_reader):
    """Single quotes in workbook.xml once made the check measure sheet1 while the reader opened the
    sheet the workbook names first; which part the reader opens is not guessed any more."""
    for quote in ('"', "'"):
        _refused(_book(FIRST_ROW, FIRST_ROW + f'<row r="2">{FAR}</row>', quote=quote, first=2))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{FIRST_ROW}<row>{FAR}</row></sheetData></worksheet>'
    _refused(_book(FIRST_ROW, names={"xl/media/image1.png": sheet}))


BLOWN_UP = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
CANNOT_VOUCH = {
    "entities": _book(FIRST_ROW.replace("ma_so_doanh_nghiep", "&b;"), prolog=BLOWN_UP),
    "unknown_entity": _book(FIRST_ROW.replace("ma_so_doanh_nghiep", "&b;")),
    "end_tags_crossed": _book(FIRST_ROW + '<row r="2"><c r="B2"><v>1</v></row></c>'),  # the reader does not check them
    "a_token_of_two_megabytes": _book(FIRST_ROW + f'<row r="2"><c pad="{" " * 2_000_000}" r="A2"/></row>'),
    "utf16_mark": _book(FIRST_ROW, names={"xl/worksheets/sheet9.xml": b"\xff\xfe<worksheet><sheetData/></worksheet>"}),
}


@pytest.mark.parametrize("trick", CANNOT_VOUCH)
def test_a_workbook_the_check_cannot_vouch_for_is_refused_as_unreadable(app_ctx, no_reader, trick):
    assert _refused(CANNOT_VOUCH[trick], "xlsx") == "Không đọc được bảng tính XLSX này."


def test_a_workbook_is_read_as_xlsx_only(app_ctx):
    """Given bytes, the reader would take an OpenDocument file for one (and read its repeated rows and
    columns, which nothing measures) once no XLSX reader opens it."""
    row = '<table:table-row><table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell></table:table-row>'
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        f'<table:table table:name="S">{"".join(row.format(h) for h in HEADER)}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData/></worksheet>')
    data = out.getvalue()
    _refused(data, "xlsx")


def test_the_cli_dry_run_refuses_a_hostile_workbook_and_exits_cleanly(app, runner, no_reader, tmp_path):
    path = tmp_path / "xa.xlsx"
    path.write_bytes(_book(FIRST_ROW + HIDDEN_FAR_CELLS["single_quotes"]))
    result = runner.invoke(args=["registry", "import", str(path), "--dry-run"])
    assert result.exit_code == 1 and "tối đa" in result.output, result.output


@pytest.mark.parametrize("quote", ['"', "'"])
def test_an_ordinary_workbook_is_still_read(app_ctx, quote):
    header = "".join(f'<c r="{c}1" t="inlineStr"><is><t>{h}</t></is></c>' for c, h in zip("ABC", HEADER, strict=True))
    values = (enterprise_code(1, prefix="44"), "Công ty TNHH R&amp;D", "22015")
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    data = _book(f'<row r="1">{header}</row><row>{cells}</row>', head='<dimension ref="A1:C2"/>', quote=quote)
    batch = services.check_file(data, "a.xlsx", audit.CLI)
    assert batch.counts()["new"] == 1 and batch.total_rows == 1, batch.report


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


@pytest.mark.parametrize("background", [False, True])
@pytest.mark.parametrize("name", ["a\x00b.csv", "a\x1bb.csv"])
def test_a_file_name_with_a_control_character_is_refused_and_nothing_stored(client, app, name, background):
    """A NUL in a file's name once reached PostgreSQL, which cannot store it: a 500."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import ImportBatch
    from tests.test_import_pages import _staff, _upload
    from tests.test_imports import MESSY

    app.config["IMPORT_BACKGROUND_BYTES"] = 0 if background else 10**9
    _staff(client, app)
    client.get("/ngon-ngu/en")
    response = _upload(client, MESSY, name)
    assert response.status_code == 302 and response.headers["Location"].endswith("/so/nhap")
    page = client.get("/so/nhap").get_data(as_text=True)
    assert "name holds characters that cannot be stored" in page  # the form's reason, translated
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
