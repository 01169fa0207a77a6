"""Certificates keep their history: a product renewed in 2027 still counts in T4 as of 2025 with the
certificate it held then, however the renewal came (the owner's form and the department's check, or
the department's list); a withdrawal counts from its day; an import's undo puts everything back."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from app import audit
from app import indicator_settings as settings
from app.database import write_intent
from app.directory import owner
from app.errors import FieldErrors
from app.extensions import db
from app.i18n import local_today
from app.imports import services as imports
from app.imports.kinds import engine, kind_of
from app.models import AuditEvent, Enterprise, Product, ProductCertificate, ProductWithdrawal, ReviewRequest
from app.progress import products_online
from app.registry import certificates, product_history, record_history, reviews
from app.registry.services import refresh_search_text
from app.text import fold
from tests.factories import add_member, login, make_enterprise, make_user
from tests.progress_helpers import product
from tests.test_imports import to_csv

HEADER = ["ma_so_doanh_nghiep", "ten_san_pham", "loai_chung_nhan", "so_sao", "so_quyet_dinh", "ngay_chung_nhan"]
END_2025, END_2027 = date(2025, 12, 31), date(2027, 12, 31)


@pytest.fixture
def clock(monkeypatch):
    """Move the province's day: every reader of it that these flows pass through."""

    def set_day(day: date) -> None:
        for module, name in (
            (owner, "local_today"),
            (product_history, "local_today"),
            (certificates, "local_today"),
            (reviews, "today_local"),
            (engine, "today_local"),
        ):
            monkeypatch.setattr(module, name, lambda: day)

    return set_day


def _t4(day: date):
    return products_online.certified_products_online(day, settings.Settings(settings.defaults().values))


def _counted(day: date) -> set[int]:
    query = select(Product.id).where(certificates.certified_on_day(day, 36))
    return set(db.session.scalars(query))


def _declare(firm, user, name: str, certified_on: date, stars: str = "4") -> ReviewRequest:
    form = {
        "name": name,
        "certification": "ocop",
        "ocop_stars": stars,
        "ocop_group": "food",
        "certified_on": certified_on,
    }
    declared = owner.add_product(firm, audit.Actor.of(user), form)
    review = reviews.declare_product(user, firm, declared)
    db.session.commit()
    return review


@pytest.fixture
def request_ctx(app):
    """A request's context: the department's decision tells the owner, with a link."""
    with app.test_request_context(), write_intent():
        yield


def test_a_renewal_through_the_owners_form_and_the_departments_check_keeps_2025(request_ctx, clock):
    firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    user, staff = make_user(), make_user(role="staff")
    add_member(user, firm)
    clock(date(2024, 3, 5))
    reviews.decide(_declare(firm, user, "Nước mắm Hải Đăng", date(2024, 3, 1)), staff, True, None)
    db.session.commit()
    clock(date(2027, 3, 5))
    renewal = _declare(firm, user, "nước mắm hải đăng", date(2027, 3, 1))  # the same product, named as typed
    sauce = db.session.scalar(select(Product))
    assert db.session.scalar(select(func.count()).select_from(Product)) == 1
    assert sauce.certified_on == date(2027, 3, 1) and sauce.verified_on is None  # the mirror shows the renewal
    assert certificates.state_of(sauce, date(2027, 3, 5), 36) == certificates.AWAITING  # the first ended on 28/02
    assert _t4(date(2027, 3, 5)).apart["expired"] == 1
    _declare(firm, user, "Nước mắm Hải Đăng", date(2027, 3, 1), stars="5")  # sent again, corrected: no third
    assert [c.ocop_stars for c in sauce.certificates] == [4, 5] and sauce.ocop_stars == 5
    clock(date(2027, 3, 8))
    reviews.decide(renewal, staff, True, None)
    db.session.commit()
    verified = [(c.certified_on, c.verified_on) for c in sauce.certificates]
    assert verified == [(date(2024, 3, 1), date(2024, 3, 5)), (date(2027, 3, 1), date(2027, 3, 8))]
    assert _t4(END_2025).denominator == 1 and _t4(END_2027).denominator == 1
    assert _counted(END_2025) == _counted(END_2027) == {sauce.id}
    assert _t4(date(2027, 3, 7)).denominator == 0  # between the end of the first and the check of the second
    assert certificates.valid_until(sauce, 36, date(2027, 3, 8)) == date(2030, 2, 28)
    again = {"name": "Nước mắm Hải Đăng", "certification": "ocop", "ocop_stars": "4", "ocop_group": "food"}
    with pytest.raises(FieldErrors) as refused:  # the same certificate, checked, declared again
        owner.add_product(firm, audit.Actor.of(user), {**again, "certified_on": date(2027, 3, 1)})
    assert list(refused.value.errors) == ["certified_on"]
    db.session.rollback()
    certified = select(AuditEvent).where(AuditEvent.entity_type == "product_certificate").order_by(AuditEvent.id)
    events = db.session.scalars(certified).all()
    assert [e.action for e in events] == ["create", "update", "create", "update", "update"]  # and corrected once


def test_a_renewal_through_the_departments_lists_keeps_2025(app_ctx, clock):
    firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    clock(date(2024, 3, 10))
    first = [[firm.code, "Nước mắm Hải Đăng", "OCOP", "4", "12/QĐ-UBND", "01/03/2024"]]
    imports.import_file(to_csv(first, HEADER), "ocop-2024.csv", audit.CLI, kind="products")
    clock(date(2027, 3, 10))
    renewed = [[firm.code, "Nước mắm Hải Đăng", "OCOP", "5", "77/QĐ-UBND", "01/03/2027"]]
    batch = imports.import_file(to_csv(renewed, HEADER), "ocop-2027.csv", audit.CLI, kind="products")
    assert batch.counts()["new"] == 1
    assert _t4(END_2025).denominator == 1 and _t4(END_2027).denominator == 1
    sauce = db.session.scalar(select(Product))
    assert (sauce.ocop_stars, sauce.certificate_no) == (5, "77/QĐ-UBND")
    assert certificates.state_of(sauce, END_2025, 36) == certificates.CERTIFIED
    told = [
        sorted(c.field for c in e.changes)
        for e in record_history.history(firm)
        if e.event.entity_type == "product_certificate" and "Nước mắm Hải Đăng" in e.subject
    ]
    assert len(told) == 2 and "certified_on" in told[0]  # each decision in the record's history, under its product
    # A file holding both decisions (the province's whole history) is the same two certificates.
    both = imports.import_file(to_csv(first + renewed, HEADER), "ocop.csv", audit.CLI, kind="products")
    assert both.counts() == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0, "held": 0}


def _state() -> tuple:
    products = db.session.execute(select(Product).order_by(Product.id)).scalars().all()
    mirrored = [(p.id, p.name, p.is_active, *(getattr(p, k) for k in product_history.MIRRORED)) for p in products]
    held = db.session.execute(select(ProductCertificate).order_by(ProductCertificate.id)).scalars().all()
    return mirrored, [(c.id, c.product_id, *(getattr(c, k) for k in product_history.MIRRORED)) for c in held]


def test_an_imported_renewal_then_its_undo_restores_everything_and_a_second_run_changes_nothing(app_ctx, clock):
    firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    clock(date(2024, 3, 10))
    first = [
        [firm.code, "Nước mắm Hải Đăng", "OCOP", "4", "12/QĐ-UBND", "01/03/2024"],
        [firm.code, "Mắm ruốc Hải Đăng", "OCOP", "3", "12/QĐ-UBND", "01/03/2024"],
    ]
    imports.import_file(to_csv(first, HEADER), "ocop-2024.csv", audit.CLI, kind="products")
    db.session.expire_all()
    before, t4_before = _state(), _t4(END_2025)
    clock(date(2027, 3, 10))
    renewed = [
        [firm.code, "Nước mắm Hải Đăng", "OCOP", "5", "77/QĐ-UBND", "01/03/2027"],
        [firm.code, "Cá cơm khô Hải Đăng", "OCOP", "3", "77/QĐ-UBND", "01/03/2027"],  # a new product
    ]
    batch = imports.import_file(to_csv(renewed, HEADER), "ocop-2027.csv", audit.CLI, kind="products")
    assert batch.counts()["new"] == 2
    written = select(func.count()).where(AuditEvent.entity_type.in_(("product", "product_certificate")))
    events = db.session.scalar(written)
    again = imports.import_file(to_csv(renewed, HEADER), "ocop-2027.csv", audit.CLI, kind="products")
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 2, "rejected": 0, "held": 0}
    assert db.session.scalar(select(func.count()).select_from(ProductCertificate)) == 4
    assert db.session.scalar(written) == events  # nothing written
    imports.undo(batch, audit.CLI)
    db.session.expire_all()
    assert _state() == before
    assert _t4(END_2025) == t4_before and _t4(END_2027).denominator == 0


def test_a_withdrawal_counts_from_its_day_and_putting_back_keeps_the_days_between(app_ctx, clock):
    firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    sauce = product(firm, date(2024, 3, 1), date(2024, 3, 5))
    other = product(firm, date(2024, 3, 1), date(2024, 3, 5))
    clock(date(2025, 6, 1))
    owner.withdraw_product(sauce, audit.CLI)
    db.session.commit()
    assert (sauce.is_active, sauce.withdrawn_on) == (False, date(2025, 6, 1))
    assert _counted(date(2025, 5, 31)) == {sauce.id, other.id}
    assert _counted(date(2025, 6, 1)) == {other.id}
    assert _t4(date(2025, 5, 31)).denominator == 2 and _t4(date(2025, 6, 1)).denominator == 1
    assert _t4(date(2025, 6, 1)).apart == {"tourism": 0, "expired": 0, "unverified": 0}  # not counted at all
    changing = certificates.enterprises_changing_between(date(2025, 5, 31), date(2025, 6, 1), 36)
    assert set(db.session.scalars(changing)) == {firm.id}
    clock(date(2025, 9, 1))
    owner.reinstate_product(sauce, audit.CLI)  # back on the market from today: the summer stays withdrawn
    db.session.commit()
    assert sauce.is_active and sauce.withdrawn_on is None
    assert _counted(date(2025, 8, 31)) == {other.id} and _counted(END_2025) == {sauce.id, other.id}
    assert [(w.withdrawn_on, w.returned_on) for w in sauce.withdrawals] == [(date(2025, 6, 1), date(2025, 9, 1))]
    clock(date(2025, 10, 1))
    owner.withdraw_product(sauce, audit.CLI)
    db.session.commit()
    clock(date(2025, 10, 2))
    owner.reinstate_product(sauce, audit.CLI, on=date(2025, 10, 1))  # a mistake: taken back whole
    db.session.commit()
    assert _counted(date(2025, 10, 1)) == {sauce.id, other.id}
    assert db.session.scalar(select(func.count()).select_from(ProductWithdrawal)) == 1
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "product").order_by(AuditEvent.id)
    ).all()
    assert actions == ["withdraw", "reinstate", "withdraw", "reinstate"]


def test_the_day_rollover_names_the_enterprises_whose_certificates_start_or_end(app_ctx):
    starts, ends, dated, quiet = (
        make_enterprise(f"Công ty TNHH Số {n}", founded_on=date(2010, 1, 1)) for n in range(4)
    )
    product(starts, date(2024, 3, 1), date(2024, 3, 10))  # counts from the check
    product(ends, date(2021, 3, 1), date(2021, 3, 1))  # OCOP: its 36 months end on 28/02/2024
    product(dated, date(2020, 1, 1), date(2020, 1, 1), certification="gi", expires_on=date(2024, 3, 9))
    product(quiet, date(2022, 6, 1), date(2022, 6, 1))

    def changing(day_before: date, day: date) -> set[int]:
        return set(db.session.scalars(certificates.enterprises_changing_between(day_before, day, 36)))

    assert changing(date(2024, 3, 9), date(2024, 3, 10)) == {starts.id, dated.id}
    assert changing(date(2024, 2, 29), date(2024, 3, 1)) == {starts.id, ends.id}  # certified (a superset)
    assert changing(date(2024, 3, 10), date(2024, 3, 11)) == set()
    for day_before, day in ((date(2024, 3, 9), date(2024, 3, 10)), (date(2024, 2, 29), date(2024, 3, 1))):
        assert _owners(day_before) ^ _owners(day) <= changing(day_before, day)  # every real change is named


def _owners(day: date) -> set[int]:
    return set(db.session.scalars(select(Product.enterprise_id).where(certificates.certified_on_day(day, 36))))


def test_an_owner_withdraws_a_product_and_puts_it_back_from_the_products_page(app, client):
    with app.app_context():
        firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
        add_member(make_user("chu@example.vn"), firm)
        sauce = product(firm, date(2024, 3, 1), date(2024, 3, 5))
        key, product_id = firm.public_key, sauce.id
    login(client, "chu@example.vn")
    page = f"/doanh-nghiep/{key}/san-pham"
    assert f"/san-pham/{product_id}/rut" in client.get(page).get_data(as_text=True)
    assert client.post(f"{page}/{product_id}/rut", data={"action": "withdraw"}).status_code == 302
    with app.app_context():
        withdrawn = db.session.get(Product, product_id)
        assert not withdrawn.is_active and withdrawn.withdrawn_on == local_today()
        assert product_id not in _counted(local_today())
    assert 'value="reinstate"' in client.get(page).get_data(as_text=True)  # listed apart, to be put back
    client.post(f"{page}/{product_id}/rut", data={"action": "reinstate"})
    with app.app_context():  # put back the day it was withdrawn: the withdrawal is taken back whole
        assert db.session.get(Product, product_id).is_active
        assert db.session.scalar(select(func.count()).select_from(ProductWithdrawal)) == 0
    with app.app_context():
        make_user("khac@example.vn")
    stranger = app.test_client()
    login(stranger, "khac@example.vn")
    assert stranger.post(f"{page}/{product_id}/rut", data={"action": "withdraw"}).status_code == 403


def test_a_renewal_in_another_group_leaves_the_past_tourism_split_as_it_was(app_ctx, clock):
    firm = make_enterprise("Công ty TNHH Du lịch Hải Đăng", founded_on=date(2010, 1, 1))
    meal = product(firm, date(2024, 3, 1), date(2024, 3, 1), group="food")
    clock(date(2027, 6, 1))
    renewal = {"certification": "ocop", "ocop_stars": 4, "ocop_group": "tourism", "certified_on": date(2027, 3, 1)}
    product_history.certify(meal, audit.CLI, "test", renewal, verified_on=date(2027, 3, 1))
    db.session.commit()
    assert meal.ocop_group == "tourism"  # the product shows its latest certificate
    assert (_t4(END_2025).denominator, _t4(END_2025).apart["tourism"]) == (1, 0)  # 2025 read the food one
    assert (_t4(END_2027).denominator, _t4(END_2027).apart["tourism"]) == (0, 1)


def test_a_second_withdraw_that_read_the_product_before_the_first_wrote_opens_no_second_withdrawal(app_ctx, clock):
    firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    sauce = product(firm, date(2024, 3, 1), date(2024, 3, 5))
    clock(date(2025, 6, 1))
    assert product_history.withdraw(sauce, audit.CLI, "owner")
    db.session.commit()
    set_committed_value(sauce, "is_active", True)  # what the second request read, a moment earlier
    assert not product_history.withdraw(sauce, audit.CLI, "owner")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ProductWithdrawal)) == 1
    assert not sauce.is_active
    assert product_history.reinstate(sauce, audit.CLI, "owner")
    db.session.commit()
    set_committed_value(sauce, "is_active", False)
    assert not product_history.reinstate(sauce, audit.CLI, "owner")
    db.session.commit()
    assert sauce.is_active
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "product")).all()
    assert actions == ["withdraw", "reinstate"]


def test_a_withdrawn_product_leaves_the_enterprises_search_text_and_comes_back_with_it(app_ctx):
    firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    sauce = product(firm, date(2024, 3, 1), date(2024, 3, 5))
    name = fold(sauce.name)

    def searched() -> bool:
        db.session.expire_all()
        return name in (db.session.get(Enterprise, firm.id).search_text or "")

    refresh_search_text(firm)
    db.session.commit()
    assert searched()
    owner.withdraw_product(db.session.get(Product, sauce.id), audit.CLI)
    db.session.commit()
    assert not searched()
    owner.reinstate_product(db.session.get(Product, sauce.id), audit.CLI)
    db.session.commit()
    assert searched()


def test_an_ocop_certificate_of_29_february_ends_the_same_day_on_the_profile_and_in_the_counts(app_ctx):
    firm = make_enterprise("Công ty TNHH Nhuận", founded_on=date(2010, 1, 1))
    leap = product(firm, date(2024, 2, 29), date(2024, 2, 29))
    last = date(2027, 2, 28)  # 36 months on, no 29 February: the day before 1 March
    assert certificates.valid_until(leap, 36, last) == last
    for day in (last, date(2027, 3, 1)):
        counted = leap.id in _counted(day)
        assert counted == (certificates.state_of(leap, day, 36) == certificates.CERTIFIED) == (day == last)


def test_the_withdraw_form_takes_the_day_it_stopped_counting_from_and_keeps_a_refused_one(app, client):
    with app.app_context():
        firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
        add_member(make_user("chu@example.vn"), firm)
        sauce = product(firm, date(2024, 3, 1), date(2024, 3, 5))
        page, product_id = f"/doanh-nghiep/{firm.public_key}/san-pham", sauce.id
    login(client, "chu@example.vn")
    client.set_cookie("lang", "en")
    assert 'name="on"' in client.get(page).get_data(as_text=True) and "Stopped counting from" in client.get(page).text
    for typed, said in (
        ("31/12/2099", "The day cannot be in the future."),
        ("31/02/2025", "02/2025 has 28 days: there is no day 31"),
    ):
        refused = client.post(f"{page}/{product_id}/rut", data={"action": "withdraw", "on": typed})
        assert refused.status_code == 422
        assert f'value="{typed}"' in refused.text and said in refused.text and 'id="on-' in refused.text
    assert client.post(f"{page}/{product_id}/rut", data={"action": "withdraw", "on": "01/06/2025"}).status_code == 302
    with app.app_context():
        withdrawn = db.session.get(Product, product_id)
        assert (withdrawn.is_active, withdrawn.withdrawn_on) == (False, date(2025, 6, 1))
        assert product_id in _counted(date(2025, 5, 31)) and product_id not in _counted(date(2025, 6, 1))


def test_the_products_import_guide_gives_the_ocop_validity_the_department_sets(app_ctx, monkeypatch):
    values = {**settings.defaults().values, "ocop_validity_months": 24}
    monkeypatch.setattr(settings, "current", lambda: settings.Settings(values))
    ends = next(c for c in kind_of("products").guide if c.header == "ngay_het_han")
    text = ends.accepted()  # in the request's language: "(24 months)", "(24 tháng)"
    assert "(24 " in text and "36" not in text


def test_the_owners_form_refuses_a_founding_day_after_the_provinces_day(app_ctx, clock):
    clock(date(2025, 1, 1))  # the province's clock, whatever the server's says
    with pytest.raises(FieldErrors) as refused:
        owner.read_enterprise_form({"founded_on": date(2025, 6, 1)})
    assert "founded_on" in refused.value.errors


def test_the_records_history_says_a_product_was_withdrawn_not_the_record_and_names_its_fields(app_ctx):
    firm = make_enterprise("Công ty TNHH Nước mắm Hải Đăng", founded_on=date(2010, 1, 1))
    sauce = product(firm, date(2024, 3, 1), date(2024, 3, 5))
    audit.record(audit.CLI, "update", "product", sauce.id, {"description": None}, {"description": "Cá cơm ủ chượp"})
    owner.withdraw_product(sauce, audit.CLI)
    db.session.commit()
    entries = record_history.history(firm)
    withdrawn, changed = (str(record_history.PRODUCT_ACTIONS["withdraw"]), str(record_history.ACTIONS["update"]))
    assert [e.action for e in entries[:2]] == [withdrawn, changed]
    assert withdrawn != str(record_history.ACTIONS["withdraw"])  # "taken out of the directory" is the record's
    assert sauce.name in entries[1].subject
    assert [c.label for c in entries[1].changes] == [str(record_history.PRODUCT_LABELS["description"])]
