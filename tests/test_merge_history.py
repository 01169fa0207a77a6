"""Merges that keep the past right: a firm with two records counts once in every figure from the day
staff give (from the start by default), the record kept takes over the duplicate's days and the
facts it lacked, and the undo brings every figure, and both histories, back exactly."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app import indicator_settings as settings
from app.errors import FieldErrors
from app.extensions import db
from app.models import AuditEvent, Enterprise
from app.progress import indicators
from app.registry import history, merge_undo, merges
from tests.factories import make_enterprise
from tests.progress_helpers import attempt
from tests.test_records import NOTE, STAFF, _staff

END_2025 = date(2025, 12, 31)
SPRING_2024 = date(2024, 4, 30)


def _s():
    return settings.Settings(settings.defaults().values)


def _ids(code: str, day: date, part: str) -> set[int]:
    return set(db.session.scalars(indicators.records(code, day, _s(), part, {})))


def _figures(day: date) -> tuple:
    """What T5 and T6 say of the day: SMEs, SMEs transformed, labelled firms (each as record ids)."""
    return (_ids("T5", day, "denominator"), _ids("T5", day, "numerator"), _ids("T6", day, "numerator"))


def _twice_registered(keep_lacks: bool = False) -> tuple[Enterprise, Enterprise]:
    """One firm, two records made in 2024: the duplicate from the registry (first registration
    1/2/2024, a verified digital-technology label since 1/3/2024, an assessment in 2025), the record
    kept typed in on 1/6/2024 without a first registration — with its own label and figures, or
    (``keep_lacks``) without them."""
    own = {} if keep_lacks else {"employees": 8, "revenue_vnd": 2_000_000_000}
    labels = (
        {}
        if keep_lacks
        else {
            "is_digital_tech": True,
            "digital_tech_basis": "VSIC 6201",
            "digital_tech_verification": "verified",
            "digital_tech_verified_on": date(2024, 9, 1),
        }
    )
    keep = make_enterprise(
        "Công ty TNHH Phần mềm Hải Đăng",
        main_vsic="6201",
        registered_on=date(2024, 6, 1),
        **{"employees": None, "revenue_vnd": None, **own},
        **labels,
    )
    duplicate = make_enterprise(
        "Cong ty Phan mem Hai Dang",
        code=None,
        main_vsic="6201",
        founded_on=date(2024, 2, 1),
        registered_on=date(2024, 2, 1),
        employees=8,
        revenue_vnd=2_000_000_000,
        is_digital_tech=True,
        digital_tech_basis="VSIC 6201",
        digital_tech_verification="verified",
        digital_tech_verified_on=date(2024, 3, 1),
    )
    attempt(duplicate, date(2025, 5, 1), level=2)
    return keep, duplicate


def _histories(*records) -> list:
    return [history.spans_of_record(r.id) for r in records]


def test_a_firm_registered_twice_counts_once_after_a_merge_and_the_undo_brings_every_figure_back(app_ctx):
    keep, duplicate = _twice_registered()
    before = {day: _figures(day) for day in (SPRING_2024, END_2025)}
    spans_before = _histories(keep, duplicate)
    assert before[END_2025] == ({keep.id, duplicate.id}, {duplicate.id}, {keep.id, duplicate.id})  # twice

    merges.merge(keep, duplicate, STAFF, NOTE)
    db.session.commit()
    # Counted once, as the record kept, on every day since the firm's first registration.
    assert _figures(END_2025) == ({keep.id}, {keep.id}, {keep.id})
    assert _figures(SPRING_2024) == ({keep.id}, set(), {keep.id}), "the kept record takes over the duplicate's days"
    assert keep.founded_on == date(2024, 2, 1)  # the duplicate's first registration filled the blank
    assert history.spans_of_record(duplicate.id)[0]["record_state"] == "withdrawn"

    merge_undo.undo_merge(merge_undo.last_merge(keep), STAFF, "Hai doanh nghiệp khác nhau")
    db.session.commit()
    db.session.expire_all()
    assert {day: _figures(day) for day in before} == before
    assert _histories(keep, duplicate) == spans_before, "both histories exactly as before the merge"
    assert keep.founded_on is None and keep.digital_tech_verified_on == date(2024, 9, 1)


def test_the_record_kept_takes_the_facts_it_lacked_from_the_duplicate_of_the_same_day(app_ctx):
    keep, duplicate = _twice_registered(keep_lacks=True)
    assert keep.size_tier == "unknown" and _figures(END_2025)[0] == {duplicate.id}
    spans_before = _histories(keep, duplicate)

    merges.merge(keep, duplicate, STAFF, NOTE)
    db.session.commit()
    assert _figures(END_2025) == ({keep.id}, {keep.id}, {keep.id})  # an SME with its label, once
    assert _ids("T6", date(2024, 3, 31), "numerator") == {keep.id}  # labelled from the duplicate's verification
    assert keep.digital_tech_verified_on == date(2024, 3, 1)

    merge_undo.undo_merge(merge_undo.last_merge(keep), STAFF, "Nhầm")
    db.session.commit()
    db.session.expire_all()
    assert _histories(keep, duplicate) == spans_before
    assert _figures(END_2025)[0] == {duplicate.id} and not keep.is_digital_tech


def test_without_first_registrations_the_kept_record_counts_from_the_firms_first_entry(app_ctx):
    keep = make_enterprise("Công ty TNHH Hải Đăng", registered_on=date(2024, 6, 1))
    duplicate = make_enterprise("Hai Dang", code=None, registered_on=date(2024, 2, 1))
    merges.merge(keep, duplicate, STAFF, NOTE)
    db.session.commit()
    assert keep.registered_on == date(2024, 2, 1)
    assert _figures(SPRING_2024)[0] == {keep.id}
    merge_undo.undo_merge(merge_undo.last_merge(keep), STAFF, "Nhầm")
    db.session.commit()
    db.session.expire_all()
    assert keep.registered_on == date(2024, 6, 1) and _figures(SPRING_2024)[0] == {duplicate.id}


def test_from_a_day_staff_give_the_figures_before_it_stay_as_they_were(app_ctx):
    keep, duplicate = _twice_registered()
    summer = date(2025, 6, 30)
    before = _figures(summer)
    with pytest.raises(FieldErrors) as refused:
        merges.merge(keep, duplicate, STAFF, "", one_from=date(2024, 1, 1))  # before the record kept began
    assert set(refused.value.errors) == {"note", "one_from"}, "both refusals at once"
    db.session.rollback()

    merges.merge(keep, duplicate, STAFF, NOTE, one_from=date(2025, 7, 1))
    db.session.commit()
    assert _figures(summer)[0] == before[0] == {keep.id, duplicate.id}  # both, as reported then
    assert _figures(END_2025) == ({keep.id}, {keep.id}, {keep.id})
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "merge", AuditEvent.entity_id == str(keep.id))
    )
    assert (event.after["merge_from"], event.after["effective_on"]) == ("day", "2025-07-01")


def test_the_confirmation_page_asks_from_when_and_the_history_shows_the_day(client, app):
    with app.app_context():
        keep, duplicate = _twice_registered()
        keep_id, dup_id, keep_key = keep.id, duplicate.id, keep.public_key
    _staff(client, app)
    client.set_cookie("lang", "en")
    page = client.get(f"/so/trung-lap/gop?keep={keep_id}&other={dup_id}").get_data(as_text=True)
    assert 'name="merge_from" id="merge-from-start" value="start" checked' in page
    assert 'id="one_from" name="one_from" value="" placeholder="dd/mm/yyyy"' in page and "1 Feb 2024" in page
    refused = client.post(
        "/so/trung-lap/gop", data={"keep": keep_id, "other": dup_id, "note": NOTE, "merge_from": "day"}
    )
    assert refused.status_code == 422 and 'id="one_from-error"' in refused.get_data(as_text=True)
    client.post(
        "/so/trung-lap/gop",
        data={"keep": keep_id, "other": dup_id, "note": NOTE, "merge_from": "day", "one_from": "01/07/2025"},
    )
    record = client.get(f"/so/ho-so/{keep_key}").get_data(as_text=True)
    assert "The duplicate stops counting from" in record and "a day the department gave" in record
    assert "Takes effect from" in record and "1 Jul 2025" in record


def test_the_merge_and_its_undo_show_the_day_of_entry_they_move_and_the_undo_puts_a_blank_back(app_ctx):
    keep = make_enterprise("Công ty TNHH Hải Đăng")
    keep.registered_on = None  # a record kept from before the day of entry was
    db.session.commit()
    duplicate = make_enterprise("Hai Dang", code=None, registered_on=date(2024, 2, 1))
    merges.merge(keep, duplicate, STAFF, NOTE)
    db.session.commit()
    assert keep.registered_on == date(2024, 2, 1)
    merge_undo.undo_merge(merge_undo.last_merge(keep), STAFF, "Nhầm")
    db.session.commit()
    db.session.expire_all()
    assert keep.registered_on is None  # blank before the merge: blank again
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "enterprise", AuditEvent.entity_id == str(keep.id))
        .where(AuditEvent.action.in_(("merge", "unmerge")))
        .order_by(AuditEvent.id)
    ).all()
    moves = [(e.action, e.before["registered_on"], e.after["registered_on"]) for e in events]
    assert moves == [("merge", None, "2024-02-01"), ("unmerge", "2024-02-01", None)]
