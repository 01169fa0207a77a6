"""The department's day in a real browser: import a messy file as a background job, read what is
wrong, commit, open a record, correct it and read the change in its history; undo the import."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from app.auth import totp
from app.extensions import db
from app.models import Enterprise, ImportBatch
from tests.factories import make_user
from tests.test_imports import MESSY


def _sign_in_staff(app, page) -> None:
    with app.app_context():
        secret = make_user("staff@so.gov.vn", role="staff", name="Trần Văn Bình").totp_secret
    page.page.context.add_cookies([{"name": "lang", "value": "en", "url": page.base_url}])
    page.goto("/dang-nhap")
    page.page.get_by_label("E-mail address").fill("staff@so.gov.vn")
    page.page.get_by_label("Password").fill("correct horse battery staple")
    page.page.locator("main").get_by_role("button", name="Sign in").click()
    page.page.get_by_label("Code").fill(totp.current_code(secret))
    page.page.locator("main").get_by_role("button").first.click()


def test_staff_import_a_messy_file_correct_a_record_and_undo(app, make_page, width, tmp_path):
    app.config["IMPORT_BACKGROUND_BYTES"] = 0  # this small file goes through the background job too
    upload = tmp_path / "so-lieu.csv"
    upload.write_bytes(MESSY)
    page = make_page(width, locale="en-GB")
    _sign_in_staff(app, page)

    page.goto("/so/")
    page.page.get_by_role("link", name="Import enterprises").click()
    page.page.get_by_label("File", exact=True).set_input_files(str(upload))
    page.page.get_by_role("button", name="Check the file (dry run)").click()
    # The page reloads itself until the job ends.
    page.page.get_by_role("heading", name="Rejected rows").wait_for(timeout=20_000)
    page.page.get_by_role("button", name="Commit the valid rows").wait_for(timeout=20_000)
    main = page.page.locator("main").inner_text()
    assert "Công ty Tương Lai" in main and "=HYPERLINK" in main
    page.screenshot(f"workspace-import-check-en-{width}")
    page.page.get_by_label("Row 12", exact=False).select_option("22045")
    page.page.get_by_role("button", name="Commit the valid rows").click()
    page.page.get_by_role("link", name="Undo this import").wait_for(timeout=20_000)
    with app.app_context():
        assert db.session.scalar(select(ImportBatch.state)) == "committed"
        key = db.session.scalar(select(Enterprise.public_key).where(Enterprise.name.like("%Hòa Kiến%")))

    page.goto("/so/ho-so")
    page.page.get_by_label("Code or name").fill("hoa kien")
    page.page.get_by_role("button", name="Find").click()
    page.page.get_by_role("link", name=key).click()
    page.page.get_by_role("link", name="Correct the record").click()
    page.page.get_by_label("Employees (yearly average with social insurance)").fill("15")
    page.page.get_by_label("Source of the correction").fill("Phone call 26/11")
    page.page.get_by_role("button", name="Save the correction").click()
    main = page.page.locator("main").inner_text()
    assert "The record is corrected." in main and "Phone call 26/11" in main
    history = page.page.locator("#history").inner_text()
    assert "12" in history and "15" in history and "Import" in history
    page.screenshot(f"workspace-record-en-{width}")
    assert page.errors == []


def test_staff_undo_a_large_import_in_the_background_and_see_a_stopped_undo(app, make_page, width):
    from datetime import timedelta

    from app import audit
    from app.imports import services
    from app.models.base import utcnow
    from tests.test_import_jobs import _many

    app.config["IMPORT_UNDO_BACKGROUND_ROWS"] = 0  # every undo goes through the background job
    with app.app_context():
        done = services.import_file(_many(40), "lon.csv", audit.CLI).id
        stopped = services.import_file(_many(5, start=20_000), "nho.csv", audit.CLI)
        services.take_on(stopped, "undoing")  # an undo whose process died
        stopped.heartbeat_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
        stopped = stopped.id
    page = make_page(width, locale="en-GB")
    _sign_in_staff(app, page)
    page.goto(f"/so/nhap/{done}")
    page.page.get_by_role("link", name="Undo this import").click()  # asked first, on a page of its own
    page.page.get_by_role("heading", name=f"Undo import {done}?").wait_for()
    assert (
        "This import created 40 records: they will be taken out of the directory."
        in page.page.locator("main").inner_text()
    )
    page.page.get_by_role("button", name="Undo the import").click()
    expect(page.page.locator("main p.small").first).to_contain_text("Undone ·", timeout=20_000)  # it reloads itself
    assert page.page.get_by_role("link", name="Undo this import").count() == 0
    assert "import the same file again" in page.page.locator("main").inner_text()
    page.screenshot(f"workspace-import-undone-en-{width}")
    with app.app_context():
        assert db.session.get(ImportBatch, done).state == "undone"

    page.goto(f"/so/nhap/{stopped}")
    main = page.page.locator("main").inner_text()
    assert "stopped reporting" in main and "stays committed" in main
    assert page.page.get_by_role("button", name="Give the batch up").count() == 0
    page.screenshot(f"workspace-import-undo-stopped-en-{width}")
    page.page.context.add_cookies([{"name": "lang", "value": "vi", "url": page.base_url}])
    page.goto(f"/so/nhap/{stopped}")
    page.screenshot(f"workspace-import-undo-stopped-vi-{width}")
    page.page.get_by_role("button", name="Hoàn tác lại").click()
    expect(page.page.locator("main p.small").first).to_contain_text("Đã hoàn tác ·", timeout=20_000)
    assert not page.errors, page.errors


def test_staff_reject_a_claim_on_a_page_that_asks_first_in_both_languages(app, make_page, width):
    """The confirmation page works without JavaScript, fits 360 px, and the message after says what
    happened and how it can be reversed, in Vietnamese and in English."""
    from app.registry import reviews
    from tests.factories import make_enterprise

    with app.app_context():
        owner = make_user("chu@example.vn", name="Nguyễn Thị Lan")
        for name in ("Công ty TNHH Yến sào Hòa Hiệp", "Công ty TNHH Thủy sản Hải Đăng"):
            reviews.claim(owner, make_enterprise(name), "Giám đốc, có giấy đăng ký")
        db.session.commit()
    page = make_page(width, locale="en-GB")
    _sign_in_staff(app, page)
    for lang, reject, heading, confirm, done in (
        ("vi", "Từ chối", "Từ chối yêu cầu này?", "Từ chối yêu cầu", "Nguyễn Thị Lan đã được báo"),
        ("en", "Reject", "Reject this request?", "Reject the request", "Nguyễn Thị Lan is told by e-mail"),
    ):
        page.page.context.add_cookies([{"name": "lang", "value": lang, "url": page.base_url}])
        page.goto("/so/duyet")
        page.page.get_by_role("link", name=reject, exact=True).first.click()
        page.page.get_by_role("heading", name=heading).wait_for()
        assert page.page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows
        page.screenshot(f"workspace-reject-{lang}-{width}")
        page.page.get_by_role("button", name=confirm).click()  # no reason: asked for on its field
        assert page.page.locator("#reason-error").is_visible()
        page.page.locator("#reason").fill("Thiếu giấy đăng ký kinh doanh")
        page.page.get_by_role("button", name=confirm).click()
        expect(page.page.locator(".alert-success")).to_contain_text(done)
        page.screenshot(f"workspace-rejected-{lang}-{width}")
    assert [e for e in page.errors if "status of 422" not in e] == []  # the form sent without a reason
