"""Made-up identifiers: valid enterprise codes (python-stdnum), household public ids, personal IDs."""

from __future__ import annotations

import random
from collections.abc import Iterator

from stdnum.vn import mst

from app.registry.services import new_household_public_id

SEQUENCE_LIMIT = 10**7  # digits 3–9 of a code


def code_for(prefix: int, sequence: int) -> str | None:
    """The 10-digit code for a tax-office prefix and a sequence, or None when no check digit exists."""
    body = f"{prefix:02d}{sequence:07d}"
    check = mst.calc_check_digit(body)
    return body + check if len(check) == 1 else None


def codes_after(prefix: int, sequence: int, rng: random.Random | None = None, max_gap: int = 1) -> Iterator[str]:
    """Valid codes with increasing sequences after ``sequence``, moving on to the next prefix when full.

    With an ``rng`` the sequences advance by 1..max_gap, as real registers do between firms of one office.
    """
    while prefix < 100:
        sequence += rng.randint(1, max_gap) if rng else 1
        if sequence >= SEQUENCE_LIMIT:
            prefix, sequence = prefix + 1, 0
            continue
        code = code_for(prefix, sequence)
        if code:
            yield code
    raise RuntimeError("No enterprise codes left.")


def split_code(code: str) -> tuple[int, int]:
    """(prefix, sequence) of a 10-digit code or of the parent part of a branch code."""
    return int(code[:2]), int(code[2:9])


def household_key(rng: random.Random) -> str:
    """An opaque public id for a household business, "HKD-" and 8 characters, drawn from rng."""
    return new_household_public_id(rng)


def personal_id(rng: random.Random) -> str:
    """A 12-digit citizen ID shape: birth-province 054 (Phú Yên), sex/century digit, year, serial."""
    year = rng.randint(1955, 2004)
    sex = rng.randint(0, 1) + (2 if year >= 2000 else 0)
    return f"054{sex}{year % 100:02d}{rng.randrange(10**6):06d}"
