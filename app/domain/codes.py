"""Enterprise codes (mã số doanh nghiệp) and the personal ID of household businesses."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from stdnum import exceptions as stdnum_errors
from stdnum.vn import mst

_PERSONAL_ID = re.compile(r"^\d{12}$")


class CodeError(ValueError):
    """A code that cannot be accepted, with a translatable reason."""

    def __init__(self, reason: str, message):
        super().__init__(reason)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class EnterpriseCode:
    value: str  # hyphenated for dependent units: NNNNNNNNNN-NNN

    @property
    def is_branch(self) -> bool:
        return len(self.value) == 14

    @property
    def parent(self) -> str:
        return self.value[:10]


def validate_enterprise_code(raw: str | None) -> EnterpriseCode:
    """Check a 10-digit code or a 13-digit dependent-unit code; return its stored form."""
    compact = mst.compact(raw or "")
    if not compact:
        raise CodeError("empty", _l("Enter the enterprise code."))
    if not (compact.isascii() and compact.isdigit()):
        raise CodeError("format", _l("An enterprise code has digits only (10, or 13 for a branch)."))
    if len(compact) not in (10, 13):
        raise CodeError(
            "length",
            _l("An enterprise code has 10 digits, or 13 for a branch; this one has %(n)s.", n=len(compact)),
        )
    try:
        mst.validate(compact)
    except stdnum_errors.InvalidChecksum:
        raise CodeError(
            "checksum", _l("The check digit (10th digit) does not match: please check for a typing error.")
        ) from None
    except stdnum_errors.ValidationError:
        raise CodeError("format", _l("This is not a valid enterprise code format.")) from None
    return EnterpriseCode(mst.format(compact))


def validate_personal_id(raw: str | None) -> str:
    """Check the 12-digit personal ID under which a household business is registered."""
    compact = re.sub(r"[\s.-]", "", raw or "")
    if not _PERSONAL_ID.match(compact):
        raise CodeError("personal_id", _l("A personal ID number has exactly 12 digits."))
    return compact


def looks_like_enterprise_code(raw: str) -> bool:
    """True when a search box input is shaped like an enterprise code (valid or not)."""
    compact = mst.compact(raw or "")
    return compact.isascii() and compact.isdigit() and len(compact) in (10, 13)


def canonical_key(key: str) -> str:
    """The stored public key for any spelling of it: a 10- or 13-digit code with or without its hyphen,
    spaces or dots becomes NNNNNNNNNN or NNNNNNNNNN-NNN; anything else (a household id) is kept."""
    compact = mst.compact(key or "")
    if compact.isascii() and compact.isdigit() and len(compact) in (10, 13):
        return mst.format(compact)
    return key
