"""A stream of distinct realistic requests to the directory, its API and profiles (SPEC §6).

Words of enterprise and product names with and without diacritics, commune names, one facet with or
without a query, pages 1–5, a few sorts — each URL different, so that no cache can serve it. Read
from the database the app is configured with (plain SQL, any engine), drawn with a fixed seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from app.text import fold

SORTS = ("relevance", "relevance", "name", "newest", "size")
PROFILES = 50_000  # distinct profiles read: more than a phase of wrk asks for (~1,500 req/s)
FACETS = ("sector", "commune", "size", "legal_form", "platform", "digital", "startup", "products")


@dataclass
class Vocabulary:
    words: list[str]  # name and product words, as written (with diacritics)
    communes: list[tuple[str, str]]  # (code, name)
    values: dict[str, list[str]]  # facet -> values present
    keys: list[str]  # public keys of listed enterprises

    @classmethod
    def read(cls, url: str, rng: random.Random, sample: int = 4000) -> Vocabulary:
        engine = create_engine(url)
        listed = "record_state = 'published' AND status <> 'dissolved'"
        with engine.connect() as con:
            top = con.execute(text("SELECT max(id) FROM enterprise")).scalar() or 0
            ids = sorted({rng.randint(1, max(1, top)) for _ in range(sample)})
            rows = con.execute(
                text(f"SELECT id, name, public_key FROM enterprise WHERE {listed} AND id >= :low ORDER BY id LIMIT :n"),
                {"low": ids[0] if ids else 0, "n": sample * 4},
            ).all()
            rows = rng.sample(rows, min(sample, len(rows)))
            products = [r[0] for r in con.execute(text("SELECT name FROM product ORDER BY id LIMIT 5000"))]
            communes = [
                tuple(r)
                for r in con.execute(
                    text(
                        f"SELECT DISTINCT c.code, c.name FROM enterprise e JOIN commune c ON c.code = e.commune_code WHERE {listed}"
                    )
                )
            ]
            values = {}
            for facet, column in (("sector", "vsic_section"), ("size", "size_tier"), ("legal_form", "legal_form")):
                values[facet] = [r[0] for r in con.execute(text(f"SELECT DISTINCT {column} FROM enterprise")) if r[0]]
            values["platform"] = [r[0] for r in con.execute(text("SELECT code FROM platform"))]
            step = max(1, top // PROFILES)  # enterprises spread over the registry, for distinct profiles
            keys = [
                r[0]
                for r in con.execute(
                    text(f"SELECT public_key FROM enterprise WHERE {listed} AND id % :s = 0"), {"s": step}
                )
            ]
        engine.dispose()
        words = []
        for name in [r[1] for r in rows] + products:
            for word in name.split():
                word = word.strip(".,()-\"'")
                if len(word) >= 2 and fold(word) not in _LEGAL and not word.isdigit():
                    words.append(word)
        values["commune"] = [code for code, _name in communes]
        return cls(words, communes, values, keys)


_LEGAL = {
    "cong",
    "ty",
    "tnhh",
    "co",
    "phan",
    "hop",
    "tac",
    "xa",
    "chi",
    "nhanh",
    "mtv",
    "doanh",
    "nghiep",
    "tu",
    "nhan",
}


def _text(vocab: Vocabulary, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:  # a commune's name
        return rng.choice(vocab.communes)[1].split(" ", 1)[-1]
    words = [rng.choice(vocab.words) for _ in range(1 if roll < 0.7 else 2)]
    typed = " ".join(words)
    if rng.random() < 0.4:  # typed without diacritics
        typed = fold(typed)
    if rng.random() < 0.15:  # still typing: the last word cut short
        typed = typed[: max(2, len(typed) - rng.randint(1, 3))]
    return typed


def directory_args(vocab: Vocabulary, rng: random.Random) -> dict[str, str]:
    """One realistic search: a text, a facet, or both; a page from 1 to 5; a sort."""
    args: dict[str, str] = {}
    roll = rng.random()
    if roll < 0.75:
        args["q"] = _text(vocab, rng)
    if roll > 0.45 or not args:
        facet = rng.choice(FACETS)
        if facet in ("digital", "startup", "products"):
            args[facet] = "1"
        elif vocab.values.get(facet):
            args[facet] = rng.choice(vocab.values[facet])
    page = rng.choice((1, 1, 1, 2, 3, 4, 5))
    if page > 1:
        args["page"] = str(page)
    sort = rng.choice(SORTS)
    if sort != "relevance":
        args["sort"] = sort
    return args


def stream(vocab: Vocabulary, rng: random.Random, kind: str, count: int) -> list[str]:
    """count distinct URLs of one kind: "directory", "api" or "profile"."""
    seen: set[str] = set()
    out: list[str] = []
    keys = list(vocab.keys)
    rng.shuffle(keys)
    attempts = 0
    while len(out) < count and attempts < count * 50:
        attempts += 1
        if kind == "profile":
            if not keys:
                break
            url = f"/doanh-nghiep/{keys.pop()}"
        else:
            base = "/doanh-nghiep" if kind == "directory" else "/api/v1/enterprises"
            url = f"{base}?{urlencode(directory_args(vocab, rng))}"
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out
