"""Duplicate records: suggest pairs with similar names in the same commune (merging is `merges`).

Names are compared by their folded form without legal-form words ("Công ty TNHH Hải Đăng" and
"DNTN Hai Dang" are the same key), first for equality, then among names ending with the same proper
name, so that the work grows with the number of records, not with its square. A loosely similar name
(fewer trade words in common than one name holding the other's) is no evidence on its own: it is
suggested only with a fact both records share — the same address, phone, e-mail or legal
representative. Household businesses with the same personal ID in one commune are suggested too. Two records with two different codes are two legal entities: never suggested.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    DuplicateDismissal,
    Enterprise,
)
from app.search_text import strip_legal_form
from app.text import fold

SIMILAR = 0.5  # trade-word agreement from which two names with the same proper name are compared
STRONG = 0.9  # agreement (one name's trade words hold the other's) that needs no shared address or contact
BLOCK_LIMIT = 50  # records sharing one proper name in one commune beyond which it is too common to tell
SCAN_LIMIT = 50_000  # above this many candidates, the page asks for one commune at a time
CANDIDATE_STATES = ("published", "pending")
REASONS = {
    "same_name": _l("Same name"),
    "similar_name": _l("Similar name"),
    "same_personal_id": _l("Same household head (personal ID)"),
}


def name_key(folded_name: str) -> str:
    """What two names must share to be the same enterprise: folded (as stored in name_folded),
    without legal-form words."""
    return strip_legal_form(folded_name)


@dataclass
class Pair:
    first: Enterprise
    second: Enterprise
    score: float
    reason: str

    @property
    def reason_label(self) -> str:
        return str(REASONS[self.reason])


def _pairs_in_commune(members: list[tuple[int, str]], found: dict[tuple[int, int], tuple[float, str]]) -> None:
    """Equal keys pair with the first record of their group. Names that end with the same proper
    name (the last two words: "… Hải Đăng") and share most of their trade words ("Thủy sản Hải Đăng",
    "Chế biến Thủy sản Hải Đăng") are similar; names that differ in the proper name are not, however
    close their letters ("Thực phẩm Tân Phát" and "Thực phẩm Tuấn Phát" are two enterprises)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for ident, key in members:
        groups[key].append(ident)
    for ids in groups.values():
        first = min(ids)
        for other in ids:
            if other != first:
                found[(first, other)] = (1.0, "same_name")
    by_proper_name: dict[str, list[str]] = defaultdict(list)
    for key in groups:
        words = key.split()
        if len(words) >= 2:
            by_proper_name[" ".join(words[-2:])].append(key)
    for keys in by_proper_name.values():
        if len(keys) > BLOCK_LIMIT:  # a name this common says nothing on its own
            continue
        for a, b in combinations(keys, 2):
            score = _trade_overlap(a.split()[:-2], b.split()[:-2])
            if score >= SIMILAR:
                x, y = min(groups[a]), min(groups[b])
                found[(x, y) if x < y else (y, x)] = (score, "similar_name")


def _trade_overlap(a: list[str], b: list[str]) -> float:
    """How much two names' trade words agree: 1 when equal, 0.9 when one list holds the other, 0.6
    when one name has none (a bare proper name is a weaker sign), else their Jaccard index."""
    if not a or not b:
        return 0.6
    first, second = set(a), set(b)
    if first <= second or second <= first:
        return 1.0 if first == second else 0.9
    return len(first & second) / len(first | second)


def _contact_facts(address: str | None, phone: str | None, email: str | None, representative: str | None) -> set[str]:
    """What two records of one firm would share besides a name: its address (folded, spaces and
    punctuation aside), its phone (digits, without the country code), its e-mail (lower case) and its
    legal representative (folded)."""
    facts = set()
    if representative and (person := fold(representative)):
        facts.add(f"representative:{person}")
    if address and (folded := "".join(ch for ch in fold(address) if ch.isalnum())):
        facts.add(f"address:{folded}")
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) >= 9:
        facts.add(f"phone:{digits.removeprefix('84').lstrip('0')}")
    if email and "@" in email:
        facts.add(f"email:{email.strip().lower()}")
    return facts


def _candidates():
    return (Enterprise.record_state.in_(CANDIDATE_STATES), Enterprise.merged_into_id.is_(None))


def distinct_legal_entities(
    first_ids: tuple[str | None, str | None], second_ids: tuple[str | None, str | None]
) -> bool:
    """Two records that carry two different enterprise codes, or two different personal IDs, are two
    legal entities: never one enterprise recorded twice (DOMAIN §3). Each side is (code, personal_id)."""
    (code_a, person_a), (code_b, person_b) = first_ids, second_ids
    return bool((code_a and code_b and code_a != code_b) or (person_a and person_b and person_a != person_b))


def needs_commune(commune: str | None) -> bool:
    """True when the whole region has too many records to scan on one page view."""
    return (
        not commune
        and db.session.scalar(select(func.count()).select_from(Enterprise).where(*_candidates())) > SCAN_LIMIT
    )


def suggestions(commune: str | None = None, limit: int = 100) -> list[Pair]:
    """Likely duplicate pairs, most certain first, leaving out pairs staff dismissed (at most limit)."""
    return suggested(commune, limit)[0]


def suggested(commune: str | None = None, limit: int = 100) -> tuple[list[Pair], int]:
    """The `limit` most likely duplicate pairs and how many there are in all."""
    query = select(
        Enterprise.id,
        Enterprise.commune_code,
        Enterprise.name_folded,
        Enterprise.personal_id,
        Enterprise.code,
        Enterprise.address,
        Enterprise.phone,
        Enterprise.email,
        Enterprise.representative,
    ).where(*_candidates())
    if commune:
        query = query.where(Enterprise.commune_code == commune)
    communes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    households: dict[tuple[str, str], list[int]] = defaultdict(list)
    identities: dict[int, tuple[str | None, str | None]] = {}
    contacts: dict[int, set[str]] = {}
    for ident, commune_code, folded, personal_id, code, address, phone, email, representative in db.session.execute(
        query
    ).yield_per(5000):
        identities[ident] = (code, personal_id)
        contacts[ident] = _contact_facts(address, phone, email, representative)
        key = name_key(folded)
        if key:
            communes[commune_code].append((ident, key))
        if personal_id:
            households[(commune_code, personal_id)].append(ident)
    found: dict[tuple[int, int], tuple[float, str]] = {}
    for members in communes.values():
        _pairs_in_commune(members, found)
    for ids in households.values():
        for a, b in combinations(sorted(ids), 2):
            found[(a, b)] = (1.0, "same_personal_id")
    found = {
        pair: value
        for pair, value in found.items()
        if not distinct_legal_entities(identities[pair[0]], identities[pair[1]])
        and (value[0] >= STRONG or contacts[pair[0]] & contacts[pair[1]])  # a loose name alone is no evidence
    }
    if not found:
        return [], 0
    dismissed = {
        tuple(row) for row in db.session.execute(select(DuplicateDismissal.first_id, DuplicateDismissal.second_id))
    }
    every = sorted(
        ((score, reason, pair) for pair, (score, reason) in found.items() if pair not in dismissed),
        key=lambda item: (-item[0], item[2]),
    )
    ranked = every[:limit]
    wanted = {i for _s, _r, pair in ranked for i in pair}
    records = {
        e.id: e
        for e in db.session.scalars(  # the page shows each one's products: load them in one go
            select(Enterprise).where(Enterprise.id.in_(wanted)).options(selectinload(Enterprise.products))
        )
    }
    return [Pair(records[a], records[b], score, reason) for score, reason, (a, b) in ranked], len(every)


def dismiss(first: Enterprise, second: Enterprise, staff_id: int | None) -> None:
    """Staff judged the two records to be different enterprises: stop suggesting them."""
    a, b = sorted((first.id, second.id))
    if (
        db.session.scalar(
            select(DuplicateDismissal.id).where(DuplicateDismissal.first_id == a, DuplicateDismissal.second_id == b)
        )
        is None
    ):
        db.session.add(DuplicateDismissal(first_id=a, second_id=b, decided_by_id=staff_id))
