"""The one commit edge (app/edge.py): a request is one transaction, a refusal is shown and undone,
a GET writes only when declared, work for after the commit waits for it, and nothing else commits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Blueprint, abort
from sqlalchemy import func, select
from wtforms import Form, StringField

from app.edge import after_commit, attempt, unit_of_work, writes
from app.errors import FieldErrors, ServiceError
from app.extensions import db
from app.models import OutgoingMail

APP = Path(__file__).resolve().parents[1] / "app"


class NameForm(Form):
    name = StringField()
    town = StringField()


def _add(subject: str) -> None:
    db.session.add(OutgoingMail(recipient="chu@example.vn", subject=subject, body="-"))
    db.session.flush()


def _subjects() -> list[str]:
    return sorted(db.session.scalars(select(OutgoingMail.subject)))


def _committed_rows() -> int:
    """Read on a connection of its own, as a task would."""
    with db.engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(OutgoingMail))


@pytest.fixture
def edge_app(app):
    """The test app with a few views that write, refuse and fail."""
    bp = Blueprint("edge_test", __name__)
    seen: list[int] = []

    @bp.post("/edge/ok")
    def ok():
        _add("ok")
        return "ok"

    @bp.post("/edge/abort")
    def aborting():
        _add("aborted")
        abort(404)

    @bp.post("/edge/form")
    def form():
        _add("before")
        form = NameForm()
        with attempt(form) as outcome:
            _add("inside")
            raise FieldErrors({"name": "Tên không hợp lệ.", "town": "Chọn xã.", "other": "Lỗi chung."})
        return f"{outcome.failed}|{form.name.errors}|{form.town.errors}", 422

    @bp.post("/edge/refuse")
    def refuse():
        _add("refused")
        raise ServiceError("Không được phép lúc này.")

    @bp.post("/api/edge/refuse")
    def api_refuse():
        _add("api")
        raise ServiceError("Sai tham số.", "q", code="bad_q")

    @bp.get("/edge/sneaky")
    def sneaky():
        db.session.add(OutgoingMail(recipient="chu@example.vn", subject="get", body="-"))
        return "x"

    @bp.get("/edge/sneaky-flush")
    def sneaky_flush():
        _add("sneaky")
        db.session.flush()
        return "x"

    @bp.get("/edge/declared")
    @writes
    def declared():
        _add("declared")
        return "x"

    @bp.post("/edge/after")
    def after():
        _add("after")
        after_commit(lambda: seen.append(_committed_rows()))
        return "ok"

    @bp.post("/edge/after-in-attempt")
    def after_in_attempt():
        with attempt():
            _add("inside")
            after_commit(lambda: seen.append(_committed_rows()), key="count")
        with attempt():
            after_commit(lambda: seen.append(-2), key="count")  # the same work, asked again: once
        return "ok"

    @bp.post("/edge/after-then-fail")
    def after_then_fail():
        _add("after")
        after_commit(lambda: seen.append(-1))
        raise RuntimeError("boom")

    app.register_blueprint(bp)
    app.extensions["edge_seen"] = seen
    return app


def _count(app) -> list[str]:
    with app.app_context():
        return _subjects()


def test_a_post_is_committed_when_its_view_returns(edge_app):
    assert edge_app.test_client().post("/edge/ok").status_code == 200
    assert _count(edge_app) == ["ok"]


def test_a_view_that_raises_after_writing_leaves_nothing(edge_app):
    assert edge_app.test_client().post("/edge/abort").status_code == 404
    assert _count(edge_app) == []


def test_attempt_undoes_the_refused_call_only_and_puts_each_message_on_its_field(edge_app):
    response = edge_app.test_client().post("/edge/form")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.startswith("True|['Tên không hợp lệ.']|['Chọn xã.']")
    assert _count(edge_app) == ["before"]  # what the view did before the call stays; the call's write is gone
    with edge_app.test_client() as client:
        client.post("/edge/form")
        from flask import get_flashed_messages

        assert get_flashed_messages(with_categories=True) == [("error", "Lỗi chung.")]  # no such field: flashed


def test_an_uncaught_refusal_is_rolled_back_and_shown_where_the_person_came_from(edge_app):
    client = edge_app.test_client()
    response = client.post("/edge/refuse", headers={"Referer": "http://localhost/doanh-nghiep"})
    assert response.status_code == 303 and response.headers["Location"] == "/doanh-nghiep"
    assert "Không được phép lúc này." in client.get("/doanh-nghiep").get_data(as_text=True)
    page = client.post("/edge/refuse")  # no page to go back to
    assert page.status_code == 409 and "Không được phép lúc này." in page.get_data(as_text=True)
    outside = client.post("/edge/refuse", headers={"Referer": "https://elsewhere.example/x"})
    assert outside.status_code == 409  # never redirected off the site
    assert _count(edge_app) == []


def test_the_api_answers_a_refusal_with_its_json_error_body(edge_app):
    response = edge_app.test_client().post("/api/edge/refuse")
    assert response.status_code == 422
    assert response.get_json() == {"error": "bad_q", "message": "Sai tham số.", "field": "q"}
    assert _count(edge_app) == []


def test_a_get_writes_only_when_declared(edge_app):
    client = edge_app.test_client()
    with pytest.raises(RuntimeError, match="declare the view with @writes"):
        client.get("/edge/sneaky")
    try:
        status = client.get("/edge/sneaky-flush").status_code
    except RuntimeError as error:  # SQLite: the edge finds the flushed write when the request ends
        assert "declare the view with @writes" in str(error)
    else:
        assert status == 500  # PostgreSQL: the statement is refused before it is sent (ReadOnlyRequest)
    assert client.get("/edge/declared").status_code == 200
    assert _count(edge_app) == ["declared"]


def test_work_for_after_the_commit_sees_the_commit_and_never_runs_after_a_rollback(edge_app):
    edge_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = edge_app.test_client()
    client.post("/edge/after")
    assert edge_app.extensions["edge_seen"] == [1]
    assert client.post("/edge/after-then-fail").status_code == 500
    assert edge_app.extensions["edge_seen"] == [1]
    assert _count(edge_app) == ["after"]
    client.post("/edge/after-in-attempt")  # not at the savepoint's release: after the request's commit
    assert edge_app.extensions["edge_seen"] == [1, 2]


def test_a_unit_of_work_commits_or_rolls_back_whole(app_ctx):
    with unit_of_work():
        _add("one")
    with pytest.raises(ServiceError), unit_of_work():
        _add("two")
        raise ServiceError("no")
    assert _subjects() == ["one"]


def test_nothing_but_the_edge_commits_or_rolls_back_the_session():
    """A developer writes a service that flushes and a view that calls it: `grep` finds the session's
    commit and rollback in app/edge.py only."""
    calls = re.compile(r"db\.session\.(commit|rollback)\(|session\.(commit|rollback)\(\)")
    found = [
        f"{path.relative_to(APP)}:{number}"
        for path in APP.rglob("*.py")
        if path.name != "edge.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if calls.search(line)
    ]
    assert found == []


def test_a_connection_of_its_own_commits_only_where_the_edge_names_it_with_its_reason():
    """Every commit, rollback and `begin()` in the app's code (read as code: docstrings and comments
    do not count), and every AUTOCOMMIT, is in app/edge.py or in a module OWN_CONNECTIONS names with
    its reason; and every module named still has one (the list says what is true)."""
    import ast

    from app.edge import OWN_CONNECTIONS

    found: dict[str, list[int]] = {}
    for path in APP.rglob("*.py"):
        name = path.relative_to(APP).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            ends = isinstance(node, ast.Call) and getattr(node.func, "attr", None) in ("commit", "rollback", "begin")
            autocommit = isinstance(node, ast.keyword) and node.arg == "isolation_level"
            if ends or autocommit:
                found.setdefault(name, []).append(node.value.lineno if autocommit else node.lineno)
    outside = {name: lines for name, lines in found.items() if name != "edge.py" and name not in OWN_CONNECTIONS}
    assert outside == {}, "a commit outside the edge: name it in app/edge.OWN_CONNECTIONS with its reason"
    assert set(OWN_CONNECTIONS) <= set(found), "a module no longer commits on its own: take it off the list"
    assert all(len(reason) > 30 for reason in OWN_CONNECTIONS.values())
