"""What staff read of imported facts: the submitted-assessments list names an external result by its
instrument's name, and a record's history lists the listing checks and assessment results imported
for it, each with the batch that brought it."""

from __future__ import annotations

import re
from datetime import date

from app import audit
from app.extensions import db
from app.imports import services as imports
from app.models import Enterprise
from tests.factories import login, make_enterprise, make_user
from tests.test_import_listings import HEADER as LISTINGS
from tests.test_import_listings import SAUCE, _certified
from tests.test_import_results import HEADER as RESULTS
from tests.test_import_results import MINISTRY
from tests.test_imports import to_csv


def _staff(client, app) -> None:
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff").totp_secret
    login(client, "staff@so.gov.vn", totp_secret=secret)
    client.set_cookie("lang", "en")


def test_the_staff_list_names_an_external_result_by_its_instrument(client, app):
    with app.app_context():
        firm = make_enterprise("Công ty TNHH Hải Đăng", founded_on=date(2015, 1, 1))
        rows = [[firm.code, "01/06/2025", "ngoài", "", MINISTRY, "3", "", ""]]
        batch = imports.import_file(to_csv(rows, RESULTS), "kq.csv", audit.CLI, kind="results")
        assert batch.new_count == 1, batch.report
    _staff(client, app)
    page = client.get("/danh-gia/quan-ly").get_data(as_text=True)
    assert MINISTRY.replace("&", "&amp;") in page and "imported by the department" in page
    assert ">external:" not in page  # not its id
    listed = client.get("/danh-gia/quan-ly?instrument=external").get_data(as_text=True)
    assert MINISTRY.replace("&", "&amp;") in listed and "Imported results of other bodies" in listed
    export = client.get("/danh-gia/quan-ly/xuat.csv").get_data(as_text=True)
    assert MINISTRY in export and "external:" not in export


def test_a_records_history_lists_its_imported_results_and_listing_checks_with_their_batch(client, app):
    with app.app_context():
        maker, _coop = _certified()
        results = imports.import_file(
            to_csv([[maker.code, "01/06/2025", "ngoài", "", MINISTRY, "3", "", ""]], RESULTS),
            "kq.csv",
            audit.CLI,
            kind="results",
        )
        checks = imports.import_file(
            to_csv([[maker.code, "Nước mắm Hải Đăng", "Shopee", SAUCE, "10/03/2024", "có"]], LISTINGS),
            "san.csv",
            audit.CLI,
            kind="listings",
        )
        assert results.new_count == checks.new_count == 1
        key, results_id, checks_id = db.session.get(Enterprise, maker.id).public_key, results.id, checks.id
    _staff(client, app)
    page = client.get(f"/so/ho-so/{key}").get_data(as_text=True)
    assert f"Assessment result: {MINISTRY.replace('&', '&amp;')} · 1 Jun 2025" in page
    assert f"Listing check of Nước mắm Hải Đăng: {SAUCE}" in page
    assert f"/so/nhap/{results_id}" in page and f"/so/nhap/{checks_id}" in page  # each with its batch
    assert "Still selling" in page and "10 Mar 2024" in page  # what the check found, on its day
    assert "Overall level" in page
    assert "Listing of Nước mắm Hải Đăng" in page, re.findall(r"<strong>[^<]*</strong>[^<]*", page)
    assert "<ins>Shopee</ins>" in page  # not its code and product id
    assert "platform_code" not in page
    # Another body's result: no version of ours, and counted only if the indicator settings say so
    assert "No: the indicator settings do not count other bodies" in page
