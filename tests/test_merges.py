"""Suggested duplicates and merges: similar names in one commune, households of one head, a merge
that moves everything and keeps both histories, its undo, and the records that are never merged."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    Assessment,
    AuditEvent,
    DuplicateDismissal,
    Enterprise,
    LatestAssessment,
    Membership,
    Product,
)
from app.models.base import utcnow
from app.registry import duplicates, merge_undo, merges, record_history, records
from app.registry.records import RecordError
from app.registry.services import registry_counts
from tests.factories import add_member, enterprise_code, login, make_enterprise, make_user
from tests.test_records import NOTE, STAFF, _staff


def test_similar_names_in_one_commune_are_suggested_and_a_dismissal_sticks(app_ctx):
    a = make_enterprise("Công ty TNHH Thủy sản Hải Đăng", commune_code="22015")
    # A record without a code (an owner's listing awaiting review, say) can be a duplicate of a coded one.
    b = make_enterprise("DNTN Thuy san Hai Dang", commune_code="22015", legal_form="dntn", code=None)
    c = make_enterprise("Công ty TNHH Thủy sản Hải Đằng", commune_code="22015", code=None)  # one tone apart
    make_enterprise("Công ty TNHH Thủy sản Hải Đăng", commune_code="22045")  # another commune
    make_enterprise("Công ty TNHH Thủy sản Biển Xanh", commune_code="22015")
    d = make_enterprise("Công ty TNHH Chế biến Thủy sản Hải Đăng", commune_code="22015", code=None)  # more trade words
    g = make_enterprise("HTX Nông nghiệp Tổng hợp Cà Lúi", commune_code="22015", legal_form="htx")
    h = make_enterprise(
        "HTX Nông nghiệp Cà Lúi", commune_code="22015", legal_form="htx"
    )  # another code: another entity
    e = make_enterprise("Công ty TNHH Thực phẩm Tân Phát", commune_code="22015")
    f = make_enterprise("Công ty Cổ phần Thực phẩm Tuấn Phát", commune_code="22015")  # another proper name
    pairs = {(p.first.id, p.second.id): p for p in duplicates.suggestions()}
    assert {(a.id, b.id), (a.id, c.id)} <= set(pairs)  # equal keys pair with the first record
    assert pairs[(a.id, b.id)].reason == "same_name"
    assert pairs[(a.id, d.id)].reason == "similar_name" and pairs[(a.id, d.id)].score >= duplicates.SIMILAR
    assert (e.id, f.id) not in pairs
    assert (g.id, h.id) not in pairs and (h.id, g.id) not in pairs
    # A loose likeness (a DNTN named only by its proper name, a household): suggested only with a fact in common
    bare = make_enterprise("DNTN Hải Đăng", commune_code="22015", legal_form="dntn", code=None)
    assert (a.id, bare.id) not in {(p.first.id, p.second.id) for p in duplicates.suggestions()}
    for firm, person in ((a, "Lê Văn Đăng"), (bare, "LE VAN  DANG")):  # the same legal representative
        firm.representative = person
    db.session.commit()
    assert (a.id, bare.id) in {(p.first.id, p.second.id) for p in duplicates.suggestions()}
    for firm, phone, person in ((a, "0257 3 823 456", None), (bare, "+84 257 3823456", "Lê Văn Dũng")):
        firm.phone, firm.representative = phone, person
    db.session.commit()
    assert (a.id, bare.id) in {(p.first.id, p.second.id) for p in duplicates.suggestions()}
    assert all(not (p.first.code and p.second.code) for p in pairs.values())
    assert all(p.first.commune_code == p.second.commune_code for p in pairs.values())
    duplicates.dismiss(b, a, None)
    db.session.commit()
    assert (a.id, b.id) not in {(p.first.id, p.second.id) for p in duplicates.suggestions()}
    assert db.session.scalar(select(DuplicateDismissal.first_id)) == a.id


def test_households_of_the_same_head_are_suggested(app_ctx):
    a = make_enterprise("Hộ kinh doanh Nguyễn Văn An", legal_form="hkd", personal_id="079203004567")
    b = make_enterprise("Tạp hóa Bảy Lan", legal_form="hkd", personal_id="079203004567")
    assert [(p.first.id, p.second.id, p.reason) for p in duplicates.suggestions()] == [(a.id, b.id, "same_personal_id")]


def _submitted(enterprise, user, days_ago: int, level: int) -> Assessment:
    attempt = Assessment(
        public_id=f"p{enterprise.id}-{days_ago}",
        resume_token_hash=f"h{enterprise.id}-{days_ago}",
        instrument_id="dbi-sme",
        instrument_version=1,
        user_id=user.id,
        enterprise_id=enterprise.id,
        status="submitted",
        submitted_at=utcnow() - timedelta(days=days_ago),
        counts_toward_indicators=True,
        total_share=0.5,
        overall_level=level,
    )
    db.session.add(attempt)
    db.session.flush()
    db.session.add(
        LatestAssessment(
            enterprise_id=enterprise.id,
            assessment_id=attempt.id,
            instrument_id="dbi-sme",
            instrument_version=1,
            overall_level=level,
            total_share=0.5,
            submitted_at=attempt.submitted_at,
        )
    )
    db.session.commit()
    return attempt


def _pair(app, merged: bool = False) -> tuple[int, int, str, str]:
    """A kept record with a blank address and a duplicate with a product, a member and a newer result:
    (kept id, duplicate id, kept key, duplicate key), merged first if asked."""
    with app.app_context():
        keep = make_enterprise("Công ty TNHH Thủy sản Hải Đăng", address=None)
        dup = make_enterprise("Thuy san Hai Dang", address="12 Lê Lợi", code=None, website="https://haidang.vn")
        db.session.add(
            Product(
                enterprise_id=dup.id,
                name="Cá ngừ đại dương",
                name_folded="ca ngu dai duong",
                certification="ocop",
                ocop_stars=4,
            )
        )
        owner = make_user("chu@example.vn")
        add_member(owner, dup)
        _submitted(dup, owner, days_ago=1, level=3)
        _submitted(keep, owner, days_ago=30, level=1)
        if merged:
            merges.merge(keep, dup, STAFF, NOTE)
        db.session.commit()
        return keep.id, dup.id, keep.public_key, dup.public_key


def test_a_merge_moves_everything_fills_blanks_and_keeps_both_histories(client, app):
    keep_id, dup_id, keep_key, dup_key = _pair(app)
    _staff(client, app)
    asked = client.get(f"/so/trung-lap/gop?keep={keep_id}&other={dup_id}").get_data(as_text=True)
    assert "Gộp hai hồ sơ?" in asked and "12 Lê Lợi" in asked  # what moves, which blanks are filled
    refused = client.post("/so/trung-lap/gop", data={"keep": keep_id, "other": dup_id, "note": " "})
    assert refused.status_code == 422  # a note is required; nothing merged
    with app.app_context():
        assert db.session.get(Enterprise, dup_id).merged_into_id is None
    response = client.post(
        "/so/trung-lap/gop",
        data={"keep": keep_id, "other": dup_id, "note": "Cùng địa chỉ và chủ, theo Cổng đăng ký doanh nghiệp"},
    )
    assert response.headers["Location"].endswith(f"/so/ho-so/{keep_key}")
    with app.app_context():
        keep, dup = db.session.get(Enterprise, keep_id), db.session.get(Enterprise, dup_id)
        assert (dup.record_state, dup.merged_into_id) == ("withdrawn", keep_id)
        assert keep.address == "12 Lê Lợi" and keep.website == "https://haidang.vn"
        assert [p.name for p in keep.products] == ["Cá ngừ đại dương"] and "ca ngu" in keep.search_text
        assert db.session.scalar(select(Membership.enterprise_id)) == keep_id
        assert db.session.get(LatestAssessment, keep_id).overall_level == 3  # the newer result
        assert db.session.get(LatestAssessment, dup_id) is None
        assert db.session.scalar(select(func.count()).select_from(Enterprise)) == 2  # nothing deleted
        assert registry_counts()["enterprises"] == 1
    history = client.get(f"/so/ho-so/{keep_key}").get_data(as_text=True)
    assert "Thuy san Hai Dang" in history  # the duplicate's own creation, under its id
    assert dup_key in history and "12 Lê Lợi" in history
    assert client.get(f"/doanh-nghiep/{dup_key}").headers["Location"].endswith(f"/doanh-nghiep/{keep_key}")
    # The duplicate cannot be merged again, nor put back on its own.
    with app.app_context():
        with pytest.raises(records.RecordError):
            merges.merge(db.session.get(Enterprise, keep_id), db.session.get(Enterprise, dup_id), STAFF, NOTE)
        with pytest.raises(records.RecordError):
            records.reinstate(db.session.get(Enterprise, dup_id), STAFF)


def _form_fields(html: str) -> dict[str, str]:
    """The named fields of the page's last form, as a browser would send them."""
    import re

    form = html[html.rindex("<form") :]
    form = form[: form.index("</form>")]
    inputs = [i for i in re.findall(r"<input[^>]*>", form) if 'type="radio"' not in i or " checked" in i]
    fields = {m[0]: m[1] for i in inputs for m in re.findall(r'name="([^"]+)"[^>]*value="([^"]*)"', i)}
    fields.update({m: "" for m in re.findall(r'<textarea[^>]*name="([^"]+)"', form)})
    return fields


def test_the_merge_page_posts_back_the_two_records_it_shows(client, app):
    """What the confirmation page sends is what it asked about (a variable of the layout once hid the
    other record's id, and the browser posted an empty one)."""
    with app.app_context():
        keep = make_enterprise("Công ty TNHH Thủy sản Hải Đăng")
        dup = make_enterprise("Thuy san Hai Dang", code=None, address="12 Lê Lợi")
        keep_id, dup_id, dup_key = keep.id, dup.id, dup.public_key
    _staff(client, app)
    page = client.get(f"/so/trung-lap/gop?keep={keep_id}&other={dup_id}").get_data(as_text=True)
    assert f"Thuy san Hai Dang ({dup_key})" in page
    assert "Hai hồ sơ đặt cạnh nhau" in page and "12 Lê Lợi" in page  # both records, field by field
    assert page.count('class="table-warning"') >= 2  # the name and the address differ
    fields = _form_fields(page)
    assert (fields["keep"], fields["other"]) == (str(keep_id), str(dup_id))
    response = client.post(f"/so/trung-lap/gop?keep={keep_id}&other={dup_id}", data={**fields, "note": NOTE})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Enterprise, dup_id).merged_into_id == keep_id


def test_the_merge_page_names_every_refusal_at_once_and_keeps_what_was_typed(client, app):
    with app.app_context():
        keep = make_enterprise("Công ty TNHH Thủy sản Hải Đăng")
        dup = make_enterprise("Thuy san Hai Dang", code=None)
        keep_id, dup_id = keep.id, dup.id
    _staff(client, app)
    url = f"/so/trung-lap/gop?keep={keep_id}&other={dup_id}"
    fields = _form_fields(client.get(url).get_data(as_text=True))
    for day in ("31/02/2025", "1999-01-01"):  # unreadable, then before the record kept began
        response = client.post(url, data={**fields, "note": " ", "merge_from": "day", "one_from": day})
        page = response.get_data(as_text=True)
        assert response.status_code == 422
        assert 'id="note-error"' in page and 'id="one_from-error"' in page, day
        assert f'value="{day}"' in page, "the day typed stays"
        assert day != "31/02/2025" or "02/2025 có 28 ngày" in page, "which part of the day is wrong"
    response = client.post(url, data={**fields, "note": NOTE, "merge_from": "day", "one_from": "bad"})
    page = response.get_data(as_text=True)
    assert 'id="one_from-error"' in page and 'id="note-error"' not in page and NOTE in page
    with app.app_context():
        assert db.session.get(Enterprise, dup_id).merged_into_id is None


def test_the_layout_leaks_no_variable_into_the_pages():
    """A `set` at the top of the layout would hide a page's variable of the same name."""
    from pathlib import Path

    layout = (Path(__file__).resolve().parents[1] / "app" / "templates" / "base.html").read_text(encoding="utf-8")
    assert "{% set " not in layout


def test_a_merge_is_undone_from_the_record_page_and_everything_goes_back(client, app):
    keep_id, dup_id, keep_key, dup_key = _pair(app, merged=True)
    _staff(client, app)
    page = client.get(f"/so/ho-so/{keep_key}").get_data(as_text=True)
    assert "Hoàn tác việc gộp" in page and NOTE in page
    refused = client.post(f"/so/ho-so/{keep_key}/tach", data={"note": " "})
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Enterprise, dup_id).merged_into_id == keep_id  # a note is required
    client.post(f"/so/ho-so/{keep_key}/tach", data={"note": "Hai mã hộ khác nhau, đã hỏi lại chủ"})
    with app.app_context():
        keep, dup = db.session.get(Enterprise, keep_id), db.session.get(Enterprise, dup_id)
        assert (dup.record_state, dup.merged_into_id) == ("published", None)
        assert keep.address is None and keep.website is None  # the filled blanks are blank again
        assert [p.name for p in dup.products] == ["Cá ngừ đại dương"] and keep.products == []
        assert "ca ngu" in dup.search_text and "ca ngu" not in keep.search_text
        assert db.session.scalar(select(Membership.enterprise_id)) == dup_id
        assert db.session.get(LatestAssessment, keep_id).overall_level == 1
        assert db.session.get(LatestAssessment, dup_id).overall_level == 3
        assert registry_counts()["enterprises"] == 2
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "enterprise", AuditEvent.entity_id == str(dup_id))
        ).all()
        assert "merge" in actions and "unmerge" in actions  # the history shows both
    history = client.get(f"/so/ho-so/{dup_key}").get_data(as_text=True)
    assert "Đã hoàn tác việc gộp" in history and "Hai mã hộ khác nhau" in history
    assert client.get(f"/doanh-nghiep/{dup_key}").status_code == 200  # its address is its own again


def test_a_merge_cannot_be_undone_once_a_record_changed_since(app, app_ctx):
    keep_id, dup_id, _, _ = _pair(app, merged=True)
    keep = db.session.get(Enterprise, keep_id)
    merge = merge_undo.last_merge(keep)
    assert merge_undo.undo_blocker(merge) is None
    records.staff_update(keep, STAFF, {"phone": "0257 3822 222"}, "Sửa theo giấy phép")
    db.session.commit()
    assert merge_undo.undo_blocker(merge) is not None
    with pytest.raises(RecordError):
        merge_undo.undo_merge(merge, STAFF, "thử lại")
    assert db.session.get(Enterprise, dup_id).merged_into_id == keep_id


def test_two_records_with_two_codes_are_two_legal_entities_and_are_never_merged(app_ctx):
    keep = make_enterprise("HTX Nông nghiệp Tổng hợp Cà Lúi", legal_form="htx")
    other = make_enterprise("HTX Nông nghiệp Cà Lúi", legal_form="htx")
    with pytest.raises(RecordError, match="hai pháp nhân"):
        merges.merge(keep, other, STAFF, NOTE)
    db.session.rollback()
    assert db.session.get(Enterprise, other.id).record_state == "published"
    first = make_enterprise("Hộ kinh doanh Lê Văn An", legal_form="hkd", personal_id="044190000011")
    second = make_enterprise("Hộ kinh doanh Lê Văn An", legal_form="hkd", personal_id="044190000012")
    with pytest.raises(RecordError):
        merges.merge(first, second, STAFF, NOTE)


def test_a_merge_that_fails_half_way_changes_nothing(app_ctx, monkeypatch):
    keep = make_enterprise("Công ty TNHH Hải Đăng")
    dup = make_enterprise("Hai Dang", address="12 Lê Lợi", code=None)
    db.session.add(
        Product(enterprise_id=dup.id, name="Cá ngừ", name_folded="ca ngu", certification="ocop", ocop_stars=3)
    )
    db.session.commit()
    monkeypatch.setattr(merges, "_merge_latest", lambda *a: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        merges.merge(keep, dup, STAFF, NOTE)
    db.session.rollback()
    assert db.session.scalar(select(Product.enterprise_id)) == dup.id
    assert db.session.get(Enterprise, dup.id).record_state == "published"
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "merge")) == 0


def test_the_duplicates_page_shows_pairs_and_both_merge_directions(client, app):
    with app.app_context():
        a = make_enterprise("Công ty TNHH Hải Đăng")
        b = make_enterprise("DNTN Hai Dang", legal_form="dntn", code=None)
        ids = (a.id, b.id)
    _staff(client, app)
    page = client.get("/so/trung-lap?commune=22015").get_data(as_text=True)
    assert page.count('href="/so/trung-lap/gop?') == 2
    assert f"keep={ids[0]}&amp;other={ids[1]}" in page and f"keep={ids[1]}&amp;other={ids[0]}" in page
    client.post("/so/trung-lap/khac-nhau", data={"keep": ids[1], "other": ids[0]})
    assert "/so/trung-lap/gop" not in client.get("/so/trung-lap").get_data(as_text=True)


def test_a_large_registry_is_compared_one_commune_at_a_time(client, app, monkeypatch):
    monkeypatch.setattr(duplicates, "SCAN_LIMIT", 1)
    with app.app_context():
        make_enterprise("Công ty TNHH Hải Đăng")
        make_enterprise("DNTN Hai Dang", legal_form="dntn", code=None)
    _staff(client, app)
    assert "/so/trung-lap/gop" not in client.get("/so/trung-lap").get_data(as_text=True)
    assert "/so/trung-lap/gop" in client.get("/so/trung-lap?commune=22015").get_data(as_text=True)


def test_staff_reach_the_record_from_the_public_profile(client, app):
    with app.app_context():
        key = make_enterprise().public_key
    assert f"/so/ho-so/{key}" not in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)
    _staff(client, app)
    assert f'href="/so/ho-so/{key}"' in client.get(f"/doanh-nghiep/{key}").get_data(as_text=True)


def test_an_import_leaves_merged_and_withdrawn_records_out_and_says_why(app_ctx):
    from app.imports import services as imports
    from tests.test_imports import to_csv

    keep = make_enterprise("Công ty TNHH Hải Đăng")
    dup = make_enterprise("Hộ kinh doanh Hải Đăng", legal_form="hkd", personal_id="044190000021")  # the same business
    gone = make_enterprise("Công ty TNHH Yến Sào", code=enterprise_code())
    merges.merge(keep, dup, STAFF, NOTE)
    records.withdraw(gone, STAFF, "Giải thể")
    db.session.commit()
    rows = [
        [dup.personal_id, "Hộ kinh doanh Hải Đăng", "HKD", "", "22015", "", "", "", "9", "", ""],
        [gone.code, "Công ty TNHH Yến Sào", "TNHH", "", "22015", "", "", "", "9", "", ""],
    ]
    batch = imports.import_file(to_csv(rows), "lai.csv", STAFF)
    assert {(r["row"], r["reason"]) for r in batch.report["rejected"]} == {(2, "merged"), (3, "withdrawn")}
    assert {e.record_state for e in (db.session.get(Enterprise, dup.id), db.session.get(Enterprise, gone.id))} == {
        "withdrawn"
    }
    assert db.session.get(Enterprise, dup.id).employees != 9


def test_merging_a_record_that_absorbed_another_keeps_the_chain(client, app):
    with app.app_context():
        a, b = (make_enterprise(n, code=None) for n in ("Hải Đăng A", "Hải Đăng B"))
        c = make_enterprise("Công ty TNHH Hải Đăng")
        owner = make_user("chu@example.vn")
        add_member(owner, a)
        add_member(owner, c, state="pending")
        merges.merge(b, a, STAFF, NOTE)
        merges.merge(c, b, STAFF, NOTE)
        db.session.commit()
        assert db.session.get(Enterprise, a.id).merged_into_id == c.id
        assert "Hải Đăng A" in {h.subject.split("(")[-1].rstrip(")") for h in record_history.history(c)}
        a_key, c_key = a.public_key, c.public_key
    assert client.get(f"/doanh-nghiep/{a_key}").headers["Location"].endswith(f"/doanh-nghiep/{c_key}")
    login(client, "chu@example.vn")
    assert client.get(f"/doanh-nghiep/{a_key}/sua").status_code == 404  # acts on the record kept instead
