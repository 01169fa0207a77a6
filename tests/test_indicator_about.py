"""Every indicator carries what a reader needs besides its figure — unit, periodicity, agency and
contact, plan document, limitations, last and next update — kept as the department's data (the
targets file fills it), on the indicator page in both languages, in the API and in the report."""

from __future__ import annotations

import io

import pytest
import yaml
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from app.extensions import db
from app.models import Indicator
from app.targets.loader import TargetFileError, default_path, load_targets


def test_the_page_says_what_the_figure_is_and_is_not(province, client):
    page = client.get("/tien-do/T4").get_data(as_text=True)
    about = page.split('id="about-title"', 1)[1].split("</section>", 1)[0]
    for words in ("Định kỳ cập nhật", "Liên tục", "Cơ quan chịu trách nhiệm", "Văn bản kế hoạch", "Lao Động"):
        assert words in about, words
    assert "Dịch vụ du lịch OCOP không được tính" in about  # the limitation
    client.set_cookie("lang", "en")
    page = client.get("/tien-do/T1").get_data(as_text=True)
    about = page.split('id="about-title"', 1)[1].split("</section>", 1)[0]
    assert "Yearly" in about and "1 Oct 2025" in about and "1 Oct 2026" in about  # last entry, a year on


def test_the_api_gives_the_metadata_in_both_languages(province, client):
    t4 = client.get("/api/v1/indicators/T4").get_json()["metadata"]
    assert t4["periodicity"] == "continuous" and t4["next_update"] is None
    assert t4["plan_document"]["vi"] and t4["plan_document"]["en"] and t4["limitations"]["en"]
    assert t4["agency"]["vi"] == province.config["DEPARTMENT_NAME_VI"]  # none given: the department
    t1 = client.get("/api/v1/indicators/T1").get_json()["metadata"]
    assert (t1["periodicity"], t1["last_update"], t1["next_update"]) == ("yearly", "2025-10-01", "2026-10-01")


def test_the_report_carries_it_on_each_indicator_s_sheet(province, client):
    book = CalamineWorkbook.from_filelike(io.BytesIO(client.get("/tien-do/bao-cao.xlsx").data))
    rows = book.get_sheet_by_name("T4").to_python()
    labels = [row[0] for row in rows]
    assert "Định kỳ cập nhật" in labels and "Hạn chế của số liệu" in labels


def test_a_database_loaded_before_the_metadata_existed_gets_it_and_keeps_the_rest(province):
    with province.app_context():
        t5 = db.session.scalar(select(Indicator).filter_by(code="T5"))
        t5.about, t5.name_en = None, "Edited by the department"
        db.session.commit()
        summary = load_targets()
        db.session.commit()
        assert (summary.filled, summary.replaced) == (1, 0)  # filled, not replaced: nothing else changed
        t5 = db.session.scalar(select(Indicator).filter_by(code="T5"))
        assert t5.about["periodicity"] == "continuous" and t5.name_en == "Edited by the department"


@pytest.mark.parametrize(
    ("about", "message"),
    [({"periodicity": "weekly"}, "weekly"), ({"owner": "x"}, "owner"), ({"next_update": "31/12"}, "next_update")],
)
def test_a_wrong_metadata_block_is_refused_with_where_and_why(app, tmp_path, about, message):
    data = yaml.safe_load(default_path().read_text())
    data["indicators"][0]["about"] = about
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with app.app_context(), pytest.raises(TargetFileError, match=message) as refused:
        load_targets(path)
    assert "about" in str(refused.value)  # where, as the file's checker or the loader names it
