"""The progress report (XLSX): built once per registry version, day, language and audience, and
rate-limited per address like the API."""

from __future__ import annotations

import io
import zipfile

from python_calamine import CalamineWorkbook

from tests.factories import make_enterprise
from tests.test_progress_pages import staff_client

REPORT = "/tien-do/bao-cao.xlsx"


def _download(client, **kwargs) -> bytes:
    response = client.get(REPORT, **kwargs)
    assert response.status_code == 200
    return response.data


def _sheets(body: bytes) -> list[str]:
    return CalamineWorkbook.from_filelike(io.BytesIO(body)).sheet_names


def test_the_report_is_built_once_per_registry_version_and_a_write_builds_it_again(province, client):
    from app.progress import report

    first = _download(client)
    built = report.built
    assert _download(client) == first and report.built == built  # the second download is the first's file
    english = _download(client, headers={"Accept-Language": "en"})
    assert report.built == built + 1 and "Summary" in _sheets(english) and "Tóm tắt" in _sheets(first)
    assert _download(client, headers={"Accept-Language": "en"}) == english and report.built == built + 1
    with province.app_context():
        make_enterprise("Công ty TNHH Cà phê Sông Cầu")  # a write moves the registry version
    assert _download(client) and report.built == built + 2
    assert _download(client) and report.built == built + 2


def test_staff_get_their_own_report_and_the_public_never_gets_it(province, client):
    from app.progress import report

    staff_client(province, client)
    private = _download(client)
    assert any("hồ sơ" in name for name in _sheets(private))  # the records behind the numbers
    built = report.built
    assert _download(client) == private and report.built == built
    public = _download(province.test_client())  # the same registry version, anonymous: its own report
    assert report.built == built + 1 and not any("hồ sơ" in name for name in _sheets(public))
    assert _download(province.test_client()) == public and _download(client) == private
    assert report.built == built + 1


def test_a_report_built_from_figures_served_stale_is_not_kept(province, client, monkeypatch):
    """Today's figures may be served stale while a task computes them again (PROGRESS_BACKGROUND_REFRESH):
    a workbook made from them is sent but not kept, so the next download has the figures the pages show."""
    from app.progress import report, snapshots

    staff_client(province, client)  # staff see today's figures, not the last month end's
    province.config.update(PROGRESS_BACKGROUND_REFRESH=True, PROGRESS_REFRESH_SECONDS=0)
    monkeypatch.setattr(snapshots, "_asked", {})  # no refresh held back by an earlier test's
    _download(client)
    built = report.built
    with province.app_context():
        make_enterprise("Công ty TNHH Cà phê Sông Cầu")  # today's stored figures are now older than the registry
    _download(client)  # served stale (their refresh runs at once here): sent, not kept
    assert report.built == built + 1
    _download(client)  # from fresh figures: kept
    _download(client)
    assert report.built == built + 2


def test_the_report_is_rate_limited_per_address(province, database, tmp_path):
    """On an app made with rate limits on (the test app has them off, and the limiter reads the setting
    when it is bound to an app)."""
    from app import create_app
    from app.extensions import db, limiter
    from app.progress.views import REPORT_LIMIT

    limited = create_app(
        {
            **database,
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "limited"),
            "SECRET_KEY": "x",
            "RATELIMIT_ENABLED": True,
            "PROGRESS_BACKGROUND_REFRESH": False,
            "TASK_QUEUE": "immediate",
        }
    )
    with limited.app_context():
        limiter.reset()  # the limiter's storage outlives a test
    client = limited.test_client()
    allowed = int(REPORT_LIMIT.split()[0])
    answers = [client.get(REPORT).status_code for _ in range(allowed + 1)]
    assert answers == [200] * allowed + [429]
    assert "Retry-After" in client.get(REPORT).headers
    assert client.get(REPORT, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200  # its own allowance
    with limited.app_context():
        limiter.reset()
        db.engine.dispose()


def test_the_summary_names_units_keeps_obsolete_targets_apart_and_prints_with_its_issuer(province, client):
    import zipfile

    body = _download(client, headers={"Accept-Language": "en"})
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    summary = book.get_sheet_by_name("Summary").to_python()
    header = summary[1]
    assert header[:4] == ["Code", "Indicator", "Unit", "Year"]
    units = {row[0]: row[2] for row in summary[2:] if row and row[0]}
    assert units["T5"] == "percent" and units["T6"] == "number"
    t6 = next(row for row in summary[2:] if row and row[0] == "T6")
    assert float(t6[header.index("Value")]).is_integer(), "a count is an integer"
    apart = book.get_sheet_by_name("Obsolete targets").to_python()
    obsolete = {(row[0], row[3]) for row in apart[2:] if row and row[0]}
    kept = {(row[0], row[3]) for row in summary[2:] if row and row[0]}
    assert obsolete and not obsolete & kept, "an obsolete target only on its own sheet"
    with zipfile.ZipFile(io.BytesIO(body)) as files:
        sheet = files.read("xl/worksheets/sheet1.xml").decode()
    assert "<pane" in sheet and 'state="frozen"' in sheet  # the header stays in view
    assert "<oddHeader>" in sheet and "landscape" in sheet  # printed with the issuing department named


def test_a_hidden_cell_is_marked_with_a_symbol_explained_under_its_table(province, client):
    book = CalamineWorkbook.from_filelike(io.BytesIO(_download(client)))
    rows = book.get_sheet_by_name("T5").to_python()
    tuy_hoa = next(r for r in rows if "22015" in r)
    assert "x" in tuy_hoa and tuy_hoa[-1] == "có"  # hidden: its numbers are the symbol, its flag says so
    notes = [r[0] for r in rows if isinstance(r[0], str) and r[0].startswith("x: ")]
    assert notes and "ít hơn 5 doanh nghiệp" in notes[0]
    by_commune = book.get_sheet_by_name("Theo xã, phường").to_python()
    assert any("x" in r for r in by_commune) and any(str(r[0]).startswith("x: ") for r in by_commune)


def test_each_indicator_sheet_shows_shares_with_one_decimal_and_counts_as_integers(province, client):
    with zipfile.ZipFile(io.BytesIO(_download(client))) as book:
        styles = book.read("xl/styles.xml").decode()
    assert 'formatCode="0.0"' in styles  # a share: 49.7
    assert 'formatCode="#,##0"' in styles  # a count: 1,234


def test_every_sheet_prints_one_page_wide_with_its_issuer_and_nothing_cut_at_the_edge(province, client):
    """Opened in LibreOffice and printed (`soffice --convert-to pdf`), the report must read as a
    document: every sheet landscape and one page wide, the department in each page's header; the long
    texts of an indicator's metadata wrapped inside the page; counts shown as counts beside shares;
    the plan the targets come from named under the summary."""
    body = _download(client)
    with zipfile.ZipFile(io.BytesIO(body)) as files:
        names = sorted(n for n in files.namelist() if n.startswith("xl/worksheets/sheet"))
        sheets = {n: files.read(n).decode() for n in names}
        styles = files.read("xl/styles.xml").decode()
    assert len(sheets) == len(_sheets(body))
    for name, xml in sheets.items():
        assert 'orientation="landscape"' in xml and 'fitToHeight="0"' in xml and 'fitToPage="1"' in xml, name
        assert "<oddHeader>" in xml and "<oddFooter>" in xml, name
    book = CalamineWorkbook.from_filelike(io.BytesIO(body))
    t5 = book.get_sheet_by_name("T5").to_python()
    plan = next(r for r in t5 if r and r[0] == "Văn bản kế hoạch")
    assert plan[1].startswith("Chương trình chuyển đổi số")
    t5_xml = next(x for x in sheets.values() if "<mergeCell " in x and "B3:G3" in x)
    assert "wrapText" in styles and t5_xml
    series = book.get_sheet_by_name("Chuỗi số liệu").to_python()
    assert "(%)" not in series[0][0] and "số lượng" in series[0][0]
    summary = book.get_sheet_by_name("Tóm tắt").to_python()
    assert any(isinstance(r[0], str) and r[0].startswith("Kế hoạch: ") for r in summary)
