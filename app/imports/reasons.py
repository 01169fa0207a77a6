"""Why a row was rejected or held: a stable reason code and a message in the reader's language."""

from __future__ import annotations

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.domain.codes import CodeError, validate_enterprise_code
from app.i18n import fmt_number
from app.imports.cells import legal_form_codes, legal_form_names, status_codes, status_names
from app.imports.sizes import limit_of

REASONS = {
    "required": _l("This cell is required."),
    "empty": _l("Enter the enterprise code."),
    "format": _l("This is not a valid enterprise code format."),
    "length": _l("An enterprise code has 10 digits, or 13 for a branch."),
    "checksum": _l("The check digit (10th digit) does not match: please check for a typing error."),
    "personal_id": _l("A personal ID number has exactly 12 digits."),
    "duplicate": _l("The same enterprise code appears in an earlier row of this file."),
    "unknown_commune": _l("No commune, current or before July 2025, has this code or name."),
    "bad_date": _l("Write the date as dd/mm/yyyy or yyyy-mm-dd."),
    "no_such_date": _l("This date does not exist (check the day and the month)."),
    "future_date": _l("This date is in the future."),
    "suspension_without_start": _l("Give the first day of the suspension too (ngay_tam_ngung)."),
    "suspension_ends_before_it_starts": _l("The suspension ends before it starts: check both dates."),
    "suspension_over": _l(
        "The suspension ended before today: leave the status blank or write Đang hoạt động (active)."
    ),
    "ceased_but_active": _l(
        "A firm with a day it ceased to exist cannot be active or suspended: correct the status or the date."
    ),
    "before_first_registration": _l("This day comes before the firm's first registration: check both dates."),
    "not_in_registry": _l(
        "No record of the registry has this code: import the registry first, or correct the code "
        "(a household business: its id as the directory shows it)."
    ),
    "duplicate_line": _l("An earlier row of this file says the same thing: only one is kept."),
    "bad_certification": _l(
        "Unknown certification: write OCOP, Chỉ dẫn địa lý, Nhãn hiệu tập thể or Nhãn hiệu chứng nhận."
    ),
    "bad_stars": _l("An OCOP product has 3, 4 or 5 stars."),
    "ocop_needs_stars": _l("Give the OCOP stars (3, 4 or 5)."),
    "bad_ocop_group": _l("Unknown OCOP product group."),
    "ends_before_certified": _l("The end of validity comes before the certification date."),
    "bad_label": _l("Unknown label: write Công nghệ số or Khởi nghiệp sáng tạo."),
    "product_not_in_registry": _l(
        "The enterprise has no certified product of this name in the registry: import the certified "
        "products first, or write the name as they give it."
    ),
    "product_ambiguous": _l(
        "The enterprise has two certified products of this name: say which in loai_chung_nhan (certification)."
    ),
    "unknown_platform": _l(
        "Unknown platform: write its name or code as the list of platforms gives it, for example Shopee or Lazada."
    ),
    "url_not_an_address": _l("This is not a web address: write the full address, starting with https://"),
    "url_not_on_platform": _l("This address is not on the platform's domains: check the address or the platform."),
    "url_not_a_product_page": _l(
        "Give the address of the product's own page on the platform, not a shop's home page, a search or a video."
    ),
    "url_on_no_platform": _l("This address is on none of the listed platforms' domains (such as shopee.vn): check it."),
    "bad_selling": _l("Write Có or Không (còn bán, ngừng bán; yes, no; 1, 0)."),
    "negative": _l("A number here cannot be negative."),
    "bad_number": _l("This is not a number."),
    "bad_legal_form": _l("Unknown legal form."),
    "legal_form_missing": _l("Give the legal form: the name does not say it either."),
    "branch_code_with_company_form": _l(
        "A 13-digit code belongs to a branch or a representative office, not to a "
        "company or a household business: correct the code or the legal form."
    ),
    "bad_status": _l("Unknown status."),
    "bad_vsic": _l("Not a VSIC code (its first two digits name no division) nor a section letter."),
    "bad_email": _l("This is not an e-mail address."),
    "bad_website": _l(
        "This is not a website address: write it as haidang.vn or https://haidang.vn/san-pham "
        "(a spreadsheet formula such as =HYPERLINK(...) is not an address)."
    ),
    "withdrawn": _l(
        "The department took this enterprise out of the directory: put its record back first, "
        "then import the row again."
    ),
    "merged": _l("This record was merged into another as a duplicate: correct the record kept instead."),
    "cell_too_long": _l("A cell of this row is longer than the import reads (131,072 characters): shorten it."),
    "mojibake": _l("This text looks mis-encoded (TCVN3 or VNI read as another code page): save the file as UTF-8."),
    "too_long": _l("This text is longer than the registry keeps in this column: shorten it."),
    "too_large": _l("This number is larger than the registry keeps in this column: check it."),
    "unknown_version": _l(
        "This instrument has no published version with this number: check it, or leave the cell blank for "
        "the current version."
    ),
    "external_needs_name": _l("Give the name of the external instrument (ten_cong_cu)."),
    "bad_level": _l("A readiness level is a whole number from 0 to 5."),
    "bad_score": _l("Write the score as a share from 0 to 1 (0,45) or as a percent (45 or 45%)."),
    "bad_pillars": _l(
        "Write each pillar as its name, a colon and its level (0 to 5) or its score with a % sign, "
        "separated by semicolons: chiến lược: 2; khách hàng: 45%."
    ),
    "unknown_pillar": _l(
        "The instrument has no pillar by this name, or the name fits more than one, or a pillar is given "
        "twice: use the names the column guide lists."
    ),
    "pillars_of_external": _l(
        "Pillars are read for our own instruments only: leave this cell blank for an external instrument."
    ),
}


def _or_list(values: list[str]) -> str:
    """ "a, b or c" in the page's language."""
    return format_list(values, style="or", locale=str(get_locale() or "vi"))


def accepted_legal_forms() -> str:
    """What a legal-form cell may hold, in words: the name, a usual abbreviation, or the code."""
    return _(
        "Write the legal form's name in Vietnamese (%(names)s), a usual abbreviation such as TNHH MTV or CTCP, "
        "or its code (%(codes)s).",
        names=_or_list(legal_form_names()),
        codes=_or_list(legal_form_codes()),
    )


def accepted_statuses() -> str:
    """What a status cell may hold, in words: the name or the code."""
    return _(
        "Write the status's name in Vietnamese (%(names)s) or its code (%(codes)s).",
        names=_or_list(status_names()),
        codes=_or_list(status_codes()),
    )


ACCEPTED = {  # what a cell may hold, said after the reason (and on the import page)
    "bad_legal_form": accepted_legal_forms,
    "bad_status": accepted_statuses,
}


def message(reason: str, value: str | None = None, column: str | None = None) -> str:
    """The translated explanation of a reason; for an enterprise code, the validator's own words; for
    a value too long or too large, the column's limit (`column` is the header the report names)."""
    limit = limit_of(column) if reason in ("too_long", "too_large") and column else None
    if limit and reason == "too_long":
        return _(
            "This text is longer than the registry keeps in this column (at most %(n)s characters): shorten it.",
            n=limit,
        )
    if limit:
        return _(
            "This number is larger than the registry keeps in this column (at most %(n)s): check it.",
            n=fmt_number(limit),
        )
    if reason in {"empty", "format", "length", "checksum"} and value:
        try:
            validate_enterprise_code(value)
        except CodeError as e:
            if e.reason == reason:
                return str(e.message)
    if reason in ACCEPTED:
        return f"{REASONS[reason]} {ACCEPTED[reason]()}"
    return str(REASONS.get(reason, reason))
