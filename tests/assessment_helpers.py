"""Drive the questionnaire through its pages the way a browser posts them."""

from __future__ import annotations

import re

from app.assessment import services
from app.assessment.catalog import instruments
from app.extensions import db


def best_value(q):
    if q.type == "single":
        return [max(q.choices, key=lambda c: c.score).value]
    if q.type == "multiple":
        return [c.value for c in q.choices if not c.exclusive]
    if q.type == "scale":
        return ["5"]
    if q.type == "yesno":
        return ["yes" if q.yes_score >= q.no_score else "no"]
    top = max(q.bands, key=lambda b: b[1])[0]
    return [str(int(top if top is not None else q.maximum))]


def low_value(q):
    if q.type == "single":
        return [min(q.choices, key=lambda c: c.score).value]
    if q.type == "multiple":
        return [min(q.choices, key=lambda c: c.score).value]
    if q.type == "scale":
        return ["1"]
    if q.type == "yesno":
        return ["no" if q.yes_score >= q.no_score else "yes"]
    return [str(int(q.minimum))]


def start(client, instrument_id: str, enterprise_id: int | None = None) -> str:
    data = {"enterprise_id": str(enterprise_id)} if enterprise_id else {}
    response = client.post(f"/danh-gia/bat-dau/{instrument_id}", data=data)
    assert response.status_code == 302, response.status_code
    return re.search(r"/danh-gia/lan/([^/]+)/", response.headers["Location"]).group(1)


def page_form(app, public_id: str, number: int, choose=best_value) -> dict:
    with app.app_context():
        attempt = services.by_public_id(public_id)
        instrument = services.instrument_of(attempt)
        answers = dict(attempt.answers or {})
        form: dict[str, list[str]] = {}
        # Answer page by page so that questions revealed by earlier answers on the page appear.
        for q in instrument.pillars[number - 1].questions:
            shown = {x.name for x in services.page_questions(instrument, answers, number - 1)}
            if q.name in shown:
                form[f"q_{q.name}"] = choose(q)
                form[f"q_{q.name}__shown"] = ["1"]
                answers[q.name] = q.parse(choose(q))
        db.session.remove()
    return form


def answer_all(client, app, public_id: str, choose=best_value, pages=None) -> None:
    with app.app_context():
        total = len(services.instrument_of(services.by_public_id(public_id)).pillars)
    for number in pages or range(1, total + 1):
        form = page_form(app, public_id, number, choose)
        response = client.post(f"/danh-gia/lan/{public_id}/trang/{number}", data={**form, "action": "next"})
        assert response.status_code == 302, (number, response.get_data(as_text=True)[:2000])


def current(app, instrument_id: str):
    with app.app_context():
        return instruments().current(instrument_id)
