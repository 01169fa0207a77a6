"""Pages that list a person's enterprises and messages read them in a fixed number of queries, however
many there are (a query per row was 22 queries for 2 enterprises and 53 for 12)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db
from app.models import ContactRequest, Follow
from tests.factories import add_member, login, make_enterprise, make_user


@contextmanager
def counted(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _owner_of(app, n: int, email: str) -> None:
    with app.app_context():
        owner = make_user(email)
        investor = make_user(f"investor-{email}")
        for i in range(n):
            enterprise = make_enterprise(f"Công ty TNHH Số {email[:3]} {i}", code=None)
            add_member(owner, enterprise)
            db.session.add(
                ContactRequest(sender_id=investor.id, enterprise_id=enterprise.id, subject="Hỏi", message="?")
            )
            db.session.add(ContactRequest(sender_id=owner.id, enterprise_id=enterprise.id, subject="Gửi", message="!"))
            db.session.add(Follow(user_id=owner.id, enterprise_id=enterprise.id))
        db.session.commit()


def _queries(client, app, path: str) -> int:
    with counted(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def test_the_inbox_and_my_enterprises_take_as_many_queries_for_twelve_enterprises_as_for_two(app):
    counts = {}
    for n, email in ((2, "hai@example.vn"), (12, "muoi-hai@example.vn")):
        _owner_of(app, n, email)
        client = app.test_client()
        login(client, email)
        client.get("/tai-khoan/hop-thu")  # the first visit marks the messages read
        counts[n] = {path: _queries(client, app, path) for path in ("/tai-khoan/hop-thu", "/doanh-nghiep/cua-toi")}
    assert counts[2] == counts[12], counts
