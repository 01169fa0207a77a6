"""A new deployment's first week: each step of the checklist moves from "to do" to "done" as the
department sets the site up, and the workspace home shows the list to staff until every step is done."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import current_app

from app import audit
from app.extensions import db
from app.i18n import local_today
from app.imports import services as imports
from app.models import Enterprise, ImportBatch, Indicator, User
from app.models.base import utcnow
from app.targets import services as targets
from app.targets.loader import load_targets
from app.workspace import setup
from tests.factories import login, make_enterprise, make_user
from tests.progress_helpers import attempt, listing, product
from tests.test_imports import to_csv

FOUNDED = date(2015, 3, 15)
CONTACTS = {
    "DEPARTMENT_NAME_VI": "Sở Khoa học và Công nghệ tỉnh Thử",
    "DEPARTMENT_NAME_EN": "Department of Science and Technology of Thu Province",
    "DEPARTMENT_ADDRESS_VI": "1 Đường Thử, phường Tuy Hòa",
    "DEPARTMENT_ADDRESS_EN": "1 Thu Street, Tuy Hoa Ward",
    "DEPARTMENT_PHONE": "0257 000 000",
    "DEPARTMENT_EMAIL": "so@thu.example.vn",
}


def import_batch(days_ago: int = 0, kind: str = "registry") -> ImportBatch:
    """A committed import batch of the kind (the registry's by default), uploaded `days_ago`."""
    moment = utcnow() - timedelta(days=days_ago)
    batch = ImportBatch(
        kind=kind,
        file_name="dang-ky-kinh-doanh.csv",
        file_sha256=f"{days_ago:064d}",
        format="csv",
        uploaded_by_label="cli",
        state="committed",
        created_at=moment,
        committed_at=moment,
    )
    db.session.add(batch)
    db.session.commit()
    return batch


def imported(batch: ImportBatch, founded_on: date | None = FOUNDED, **fields) -> Enterprise:
    """An enterprise as an import of the registry leaves it: its provenance names the batch."""
    firm = make_enterprise(founded_on=founded_on, **fields)
    firm.provenance, firm.provenance_ref = "import", str(batch.id)
    db.session.commit()
    return firm


def report(indicator: Indicator) -> None:
    """The department enters a value of the indicator, as on its page."""
    targets.add_value(
        indicator,
        value="1" if indicator.unit == "yes_no" else "50",
        as_of=f"{local_today():%d/%m/%Y}",
        source_document="Báo cáo 12/BC-SKHCN",
        note=None,
        actor=audit.CLI,
    )
    db.session.commit()


def checklist() -> list[setup.Step]:
    """The steps as the home page computes them (in a request: they build their pages' addresses),
    then the read ends, so that the test may write again."""
    with current_app.test_request_context("/so/"):
        steps = setup.checklist()
    db.session.commit()
    return steps


def step(key: str) -> setup.Step:
    return next(s for s in checklist() if s.key == key)


def state(key: str) -> str:
    return step(key).state


def test_the_steps_come_in_the_readmes_order_each_with_its_page(app_ctx):
    steps = checklist()
    assert [s.key for s in steps] == [
        "contacts",
        "targets",
        "registry",
        "products",
        "listings",
        "labels",
        "results",
        "reported_values",
        "staff",
    ]
    assert all(s.state == "todo" and s.title and s.meaning and s.url.startswith("/") for s in steps)
    urls = {s.key: s.url for s in steps}
    assert urls["registry"] == "/so/nhap" and urls["products"] == "/so/nhap?kind=products"
    assert urls["listings"] == "/so/nhap?kind=listings" and urls["labels"] == "/so/nhap?kind=labels"
    assert urls["results"] == "/so/nhap?kind=results" and urls["staff"] == "/so/nguoi-dung"
    assert urls["targets"] == urls["reported_values"] == "/so/chi-tieu"


def test_contacts_are_done_once_none_is_the_demos(app_ctx):
    assert state("contacts") == "todo"
    current_app.config["DEPARTMENT_PHONE"] = CONTACTS["DEPARTMENT_PHONE"]
    assert state("contacts") == "partly" and "DEPARTMENT_EMAIL" in str(step("contacts").detail)
    current_app.config.update(CONTACTS)
    assert state("contacts") == "done" and step("contacts").detail is None


def test_targets_are_done_once_loaded(app_ctx):
    assert state("targets") == "todo"
    load_targets()
    db.session.commit()
    assert state("targets") == "done"


def test_the_registry_is_partly_done_while_imported_records_lack_a_founding_date(app_ctx):
    make_enterprise(founded_on=None)  # entered by staff: not an import
    assert state("registry") == "todo"
    batch = import_batch()
    imported(batch)
    undated = [imported(batch, founded_on=None), imported(batch, founded_on=None)]
    found = step("registry")
    assert found.state == "partly" and "2" in str(found.detail)
    for firm in undated:
        firm.founded_on = FOUNDED
    db.session.commit()
    assert state("registry") == "done" and step("registry").detail is None


def test_certified_products_are_done_once_one_is_verified(app_ctx):
    assert state("products") == "todo"
    owner = make_enterprise()
    product(owner, certified_on=local_today() - timedelta(days=90), verified_on=None)
    assert state("products") == "partly" and "1" in str(step("products").detail)
    product(owner, certified_on=local_today() - timedelta(days=90), verified_on=local_today())
    assert state("products") == "done"


def test_listings_are_done_once_one_has_a_check(app_ctx):
    assert state("listings") == "todo"
    item = product(make_enterprise(), certified_on=local_today(), verified_on=local_today())
    listing(item)
    assert state("listings") == "partly"
    listing(item, (local_today(), True))
    assert state("listings") == "done"


@pytest.mark.parametrize("label", ["digital_tech", "startup"])
def test_labels_are_done_once_one_is_verified(app_ctx, label):
    firm = make_enterprise(main_vsic="6201")
    setattr(firm, f"is_{label}", True)
    db.session.commit()
    assert state("labels") == "todo"  # declared, not verified
    setattr(firm, f"{label}_verification", "verified")
    setattr(firm, f"{label}_verified_on", local_today())
    db.session.commit()
    assert state("labels") == "done"


def test_past_results_are_those_the_department_imported(app_ctx):
    firm = make_enterprise()
    attempt(firm, local_today() - timedelta(days=400), level=2)  # the site's own: not a past survey's
    assert state("results") == "todo"
    rows = [[firm.code, "15/03/2024", "external", "Khảo sát DBI 2024", "2"]]
    header = ["ma_so_doanh_nghiep", "ngay_danh_gia", "bo_cong_cu", "ten_cong_cu", "muc_tong_the"]
    batch = imports.import_file(to_csv(rows, header), "ket-qua.csv", audit.CLI, kind="results")
    assert batch.new_count == 1
    assert state("results") == "done"


def test_reported_values_say_which_are_missing(app_ctx):
    assert state("reported_values") == "todo"  # no targets, nothing to report
    load_targets()
    db.session.commit()
    assert state("reported_values") == "todo"
    reported = db.session.scalars(
        db.select(Indicator).where(Indicator.kind == "reported", Indicator.code != "T2-district")
    ).all()
    assert {i.code for i in reported} == {"T1", "T2-province", "T2-commune", "T3", "T7", "T8", "T9"}
    for indicator in reported[:-1]:
        report(indicator)
    found = step("reported_values")
    last = reported[-1]
    assert found.state == "partly" and "1" in str(found.detail)
    assert found.missing == ((f"{last.code} · {last.name_vi}", f"/so/chi-tieu/{last.code}"),)
    report(last)
    assert state("reported_values") == "done" and step("reported_values").missing == ()


def test_two_staff_members_with_two_step_sign_in(app_ctx):
    assert state("staff") == "todo"
    make_user("cho-ma@so.gov.vn", role="staff", two_factor=False)  # has not set up two-step sign-in
    make_user("chu@example.vn", two_factor=True)  # an owner: not staff
    assert state("staff") == "todo"
    make_user("admin@so.gov.vn", role="admin")
    assert state("staff") == "partly" and "1" in str(step("staff").detail)
    left = make_user("nghi@so.gov.vn", role="staff")
    left.is_active_account = False
    db.session.commit()
    assert state("staff") == "partly"  # a deactivated account does not count
    make_user("staff@so.gov.vn", role="staff")
    assert state("staff") == "done"


def _staff_client(client, app, role="staff", language="vi"):
    with app.app_context():
        user = make_user(f"{role}@so.gov.vn", role=role)
        secret = user.totp_secret
    client.set_cookie("lang", language)
    login(client, f"{role}@so.gov.vn", totp_secret=secret)
    return client


def test_staff_see_the_checklist_in_vietnamese(client, app):
    page = _staff_client(client, app).get("/so/").get_data(as_text=True)
    assert 'aria-labelledby="setup-heading"' in page
    assert "Tuần đầu tiên: thiết lập trang" in page and "0 trên 9 bước đã xong" in page
    assert "Khai báo thông tin liên hệ của Sở" in page and "Nhập kết quả đánh giá trước đây" in page
    assert '<span aria-hidden="true">○</span> Chưa làm' in page  # the state in words beside its icon
    assert '<span aria-hidden="true">◐</span> Làm được một phần' in page  # the staff member who signed in
    assert 'href="/so/nhap?kind=products"' in page and "<code" in page
    assert 'href="/so/nguoi-dung"' not in page and "Việc này do quản trị viên làm." in page


def test_admins_see_the_checklist_in_english_with_the_accounts_link(client, app):
    page = _staff_client(client, app, role="admin", language="en").get("/so/").get_data(as_text=True)
    assert "Your first week: set up the site" in page and "0 of 9 steps done." in page
    assert "Set the department's contacts" in page and "Enter the reported values" in page
    assert '<span aria-hidden="true">◐</span> Partly done' in page and "Accounts ready: 1 of 2." in page
    assert 'href="/so/nguoi-dung">Open user accounts</a>' in page and "flask users create" in page


def test_once_every_step_is_done_the_list_folds_into_one_line(client, app):
    app.config.update(CONTACTS)
    with app.app_context():
        load_targets()
        db.session.commit()
        for indicator in db.session.scalars(db.select(Indicator).where(Indicator.kind == "reported")).all():
            report(indicator)
        firm = imported(import_batch(), main_vsic="6201")
        firm.is_digital_tech, firm.digital_tech_verification = True, "verified"
        listing(product(firm, certified_on=local_today(), verified_on=local_today()), (local_today(), True))
        attempt(firm, local_today(), level=1).is_imported = True  # as the results import writes it
        import_batch(kind="results")
        db.session.commit()
        make_user("second@so.gov.vn", role="staff")
    page = _staff_client(client, app, language="en").get("/so/").get_data(as_text=True)
    assert "Setup complete: every step of the first week is done." in page and "Show the checklist" in page
    assert '<details class="mb-4" id="setup">' in page and "<details open" not in page
    assert 'aria-labelledby="setup-heading"' not in page and page.count('<span aria-hidden="true">✓</span> Done') == 9


def test_only_staff_see_the_checklist(client, app):
    with app.app_context():
        make_user("chu@example.vn")
    assert client.get("/so/").status_code == 302  # a stranger is asked to sign in
    login(client, "chu@example.vn")
    response = client.get("/so/")
    assert response.status_code == 403 and "setup-heading" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
