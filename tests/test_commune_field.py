"""The commune field takes a commune as people know it: its name today or before 1 July 2025, with or
without diacritics or "xã"/"phường", alone or with its former district, or a former district's name;
a former name is saved as what it became and the owner is told; a name that became several communes
is refused with their names, and nothing typed elsewhere on the form is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Enterprise
from app.reference.communes import read_typed
from tests.factories import enterprise_code, login, make_user


@pytest.mark.parametrize(
    ("typed", "code", "former"),
    [
        ("Phường Tuy Hòa", "22015", False),
        ("tuy hoa", "22015", False),
        ("22015", "22015", False),
        ("Phường 1 (Thành phố Tuy Hòa)", "22015", True),  # as the list offers it
        ("Phường 1, TP Tuy Hòa", "22015", True),
        ("xa an dan", "22114", True),  # Xã An Dân (Huyện Tuy An) became Xã Tuy An Bắc
        ("Thị trấn Chí Thạnh", "22114", True),
        ("Không Có Xã Này", None, False),
    ],
)
def test_what_a_person_types_is_read_as_the_current_commune(app, typed, code, former):
    with app.app_context():
        found = read_typed(typed)
    assert (found.code, found.former, found.candidates) == (code, former, ())


@pytest.mark.parametrize("typed", ["Phường 9", "Huyện Tuy An", "tuy an"])
def test_a_unit_that_became_several_communes_names_them(app, typed):
    with app.app_context():
        found = read_typed(typed)
    assert found.code is None and found.former and len(found.candidates) >= 2


def _register(client, commune: str):
    form = {
        "legal_form": "tnhh1",
        "code": enterprise_code(5151),
        "name": "Công ty TNHH Cá ngừ Phú Yên",
        "main_vsic": "1020",
        "commune_code": commune,
        "employees": "12",
    }
    return client.post("/doanh-nghiep/dang-ky", data=form, follow_redirects=True)


def test_an_owner_who_types_a_former_commune_is_told_what_it_became(client, app):
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    form = client.get("/doanh-nghiep/dang-ky").get_data(as_text=True)
    assert 'list="commune_code-list"' in form and 'value="Xã An Dân (Huyện Tuy An)"' in form
    assert "Tuy An Bắc" in form.split('value="Xã An Dân (Huyện Tuy An)"', 1)[1].split(">", 1)[0]  # its label
    page = _register(client, "Xã An Dân, Huyện Tuy An").get_data(as_text=True)
    assert "Từ ngày 1/7/2025, “Xã An Dân, Huyện Tuy An” thuộc Tuy An Bắc" in page
    with app.app_context():
        assert (
            db.session.scalar(select(Enterprise.commune_code).filter_by(name="Công ty TNHH Cá ngừ Phú Yên")) == "22114"
        )


def test_a_former_commune_that_was_split_is_refused_with_the_communes_it_became(client, app):
    with app.app_context():
        make_user("chu@example.vn")
    login(client, "chu@example.vn")
    response = _register(client, "Phường 9")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "nhiều xã/phường: Bình Kiến, Tuy Hòa" in page
    assert 'value="Phường 9"' in page and 'value="Công ty TNHH Cá ngừ Phú Yên"' in page  # nothing typed is lost
    with app.app_context():
        assert db.session.scalar(select(Enterprise).filter_by(name="Công ty TNHH Cá ngừ Phú Yên")) is None
