"""One language per page: an English page shows no Vietnamese interface text, and the reverse.

The main pages are rendered in each language on the demo province. Their visible text, with the
user data taken out (enterprise, product, commune and people's names, addresses, descriptions),
is searched for the interface text of the other language's catalogue: every msgstr long enough to
be distinctive (two words or more, not the same in both languages).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from app.extensions import db
from app.models import Commune, Enterprise, Membership, Product, User
from tests.factories import login

ROOT = Path(__file__).resolve().parents[1]
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|%%|<[^>]+>|\{[^}]*\}")
_SKIPPED_TAGS = {"script", "style", "template"}
_VOID_TAGS = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SHOWN_ATTRIBUTES = ("aria-label", "alt", "placeholder", "title")


class VisibleText(HTMLParser):
    """The text a reader meets on a page (and in the labels of its controls), leaving out the
    parts marked as written in another language (`lang="…"`, such as the language switch)."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[bool] = []  # per open element: is it hidden from the check?
        self.parts: list[str] = []

    def _hidden(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        lang = (values.get("lang") or self.language).split("-")[0]
        hidden = tag in _SKIPPED_TAGS or lang != self.language
        if not hidden and not self._hidden():
            self.parts.extend(values[a] for a in _SHOWN_ATTRIBUTES if values.get(a))
        if tag not in _VOID_TAGS:
            self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in _VOID_TAGS and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._hidden():
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def visible_text(html: str, language: str) -> str:
    parser = VisibleText(language)
    parser.feed(html)
    return parser.text()


def interface_phrases(language: str) -> set[str]:
    """The distinctive phrases of a catalogue: pieces of its translations between placeholders,
    of two words or more, that the other language does not share."""
    with open(ROOT / "translations" / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    phrases = set()
    for message in catalogue:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if string in ids:
                continue  # the same in both languages: a name, a code, a number
            for piece in _PLACEHOLDER.split(string):
                piece = " ".join(piece.strip(" .,:;·—–-()[]/\"'").split())
                if len(piece.split()) >= 2 and not any(piece in i for i in ids):
                    phrases.add(piece)
    return phrases


def user_data() -> list[str]:
    """What people and the department wrote: data, not interface, whatever its language."""
    values: set[str] = set()
    for name, description, address in db.session.execute(
        select(Enterprise.name, Enterprise.description, Enterprise.address)
    ):
        values.update(v for v in (name, description, address) if v)
    values.update(n for n in db.session.scalars(select(Product.name)) if n)
    values.update(n for n in db.session.scalars(select(Product.certifying_body)) if n)
    values.update(db.session.scalars(select(Commune.name)))
    values.update(db.session.scalars(select(User.full_name)))
    return sorted(values, key=len, reverse=True)


def without(text: str, data: list[str]) -> str:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return text


@pytest.fixture
def demo(app, runner, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tech = db.session.scalars(
            select(Enterprise)
            .where(Enterprise.is_startup, Enterprise.startup_verification == "verified", Enterprise.is_digital_tech)
            .order_by(Enterprise.id)
        ).first()
        owner = db.session.scalar(select(User).where(User.email == "owner.demo@example.com"))
        owned = db.session.scalar(select(Membership.enterprise_id).where(Membership.user_id == owner.id))
        assert tech is not None and owned is not None
        return {"tech": tech.public_key, "data": user_data(), "owner": owner.email}


def owner_password(app) -> str:
    text = (Path(app.instance_path) / "demo-credentials.txt").read_text()
    block = text.split("owner", 1)[1]
    return re.search(r"password:\s*(\S+)", block).group(1)


PUBLIC_PAGES = (
    "/",
    "/doanh-nghiep",
    "/doanh-nghiep?q=cong+nghe",
    "/khoi-nghiep",
    "/danh-gia",
    "/tien-do",
    "/tien-do/T5",
    "/gioi-thieu",
    "/tro-giup",
    "/lien-he",
    "/quyen-rieng-tu",
)


# Internal identifiers people should never read: instrument ids, target codes, snake_case codes.
INTERNAL = re.compile(r"\b(?:dbi-sme|quick-check|T\d+-[a-z]+|[a-z]+_[a-z_]+)\b")


def foreign_phrases(client, path: str, language: str, phrases: set[str], data: list[str]) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    text = without(visible_text(response.get_data(as_text=True), language), data)
    found = [p for p in phrases if re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", text)]
    return sorted(found + INTERNAL.findall(text))


@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_main_page_speaks_one_language(app, client, demo, language):
    other = "vi" if language == "en" else "en"
    phrases = interface_phrases(other)
    client.set_cookie("lang", language)
    pages = [*PUBLIC_PAGES, f"/doanh-nghiep/{demo['tech']}"]
    found = {}
    for path in pages:
        if hits := foreign_phrases(client, path, language, phrases, demo["data"]):
            found[path] = hits
    assert login(client, demo["owner"], owner_password(app)).status_code == 302
    for path in ("/tai-khoan", "/danh-gia", "/danh-gia/lich-su"):
        if hits := foreign_phrases(client, path, language, phrases, demo["data"]):
            found[f"{path} (owner)"] = hits
    assert not found, f"{other} interface text on {language} pages: {found}"
