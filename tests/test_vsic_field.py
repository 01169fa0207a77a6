"""The line of business is picked by its VSIC code or by words of its name: the form lists the VSIC
divisions with their names (a datalist, no JavaScript needed), and words typed without the list are
read on the server — one division is taken, several or none are named back with what was typed kept."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise
from tests.factories import enterprise_code, login, make_user


def _register(client, vsic: str):
    form = {
        "legal_form": "tnhh1",
        "code": enterprise_code(6262),
        "name": "Công ty TNHH Phần mềm Núi Nhạn",
        "main_vsic": vsic,
        "commune_code": "22015",
        "employees": "9",
    }
    return client.post("/doanh-nghiep/dang-ky", data=form)


def _owner(app, client):
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")


def test_the_form_lists_the_divisions_with_their_names(client, app):
    _owner(app, client)
    page = client.get("/doanh-nghiep/dang-ky").get_data(as_text=True)
    assert 'list="main_vsic-list"' in page
    assert '<option value="62" label="Lập trình máy vi tính, dịch vụ tư vấn' in page
    assert page.count("<option value=", page.index('id="main_vsic-list"')) >= 88


def test_words_of_one_division_are_taken_as_its_code(client, app):
    _owner(app, client)
    assert _register(client, "lập trình máy tính").status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Enterprise.main_vsic).filter_by(name="Công ty TNHH Phần mềm Núi Nhạn")) == "62"


def test_words_of_several_divisions_or_none_are_named_back(client, app):
    _owner(app, client)
    several = _register(client, "san xuat")
    page = several.get_data(as_text=True)
    assert several.status_code == 422 and "Có nhiều ngành khớp với “san xuat”" in page and "10 Sản xuất" in page
    assert 'value="san xuat"' in page and 'value="Công ty TNHH Phần mềm Núi Nhạn"' in page  # kept as typed
    none = _register(client, "tàu vũ trụ")
    assert none.status_code == 422 and "Không có ngành nào khớp" in none.get_data(as_text=True)
    assert _register(client, "0012").status_code == 422  # digits are a code, checked as one: no division 00
