"""What each column of an import holds and accepts: the import page and the template say the same."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.imports.reading import COLUMNS
from app.imports.reasons import accepted_legal_forms, accepted_statuses


@dataclass(frozen=True)
class Column:
    header: str
    alias: str
    required: bool
    holds: object  # lazy text: what the cell is
    accepts: object  # lazy text, or a function giving it in the page's language
    example: str

    def accepted(self) -> str:
        return str(self.accepts()) if callable(self.accepts) else str(self.accepts)


_GUIDE: dict[str, tuple[bool, object, object | Callable[[], str], str]] = {
    "ma_so_doanh_nghiep": (
        True,
        _l("Enterprise code (tax code)"),
        _l(
            "10 digits; 13 for a branch or representative office, with or without the hyphen "
            "(0314409058-002). A household business without a code: its head's 12-digit personal ID."
        ),
        "0100233488",
    ),
    "ten_doanh_nghiep": (
        True,
        _l("Registered name"),
        _l("Text in Vietnamese with its marks, saved as UTF-8."),
        "Công ty TNHH Thủy sản Hải Đăng",
    ),
    "loai_hinh": (False, _l("Legal form"), accepted_legal_forms, "TNHH MTV"),
    "ngay_thanh_lap": (
        False,
        _l("Date of first registration (the day the firm came into existence)"),
        _l("dd/mm/yyyy or yyyy-mm-dd, a day that exists and is not in the future."),
        "15/03/2015",
    ),
    "ma_xa": (
        False,
        _l("Commune code (after 1 July 2025, or before: it is converted)"),
        _l("5 digits. Required unless ten_xa is given."),
        "22015",
    ),
    "ten_xa": (False, _l("Commune name"), _l("The commune's name; required unless ma_xa is given."), "Phường Tuy Hòa"),
    "huyen_cu": (
        False,
        _l("Former district (before July 2025)"),
        _l("Only to tell apart two former communes with the same name."),
        "",
    ),
    "dia_chi": (False, _l("Address"), _l("Text."), "12 Lê Lợi"),
    "nganh_nghe_chinh": (
        False,
        _l("Main line of business"),
        _l("A VSIC 2018 code of 2 to 5 digits whose division exists (1020), or a section letter (C)."),
        "1020",
    ),
    "so_lao_dong": (False, _l("Employees"), _l("A whole number, 0 or more."), "8"),
    "doanh_thu": (
        False,
        _l("Revenue last year (VND)"),
        _l("An amount in đồng: 1.500.000.000 or 1500000000."),
        "1.500.000.000",
    ),
    "tong_nguon_von": (False, _l("Total capital (VND)"), _l("An amount in đồng."), ""),
    "email": (False, _l("Contact e-mail"), _l("An e-mail address."), "lienhe@haidang.vn"),
    "dien_thoai": (False, _l("Phone"), _l("Text."), "0257 3823 456"),
    "nguoi_dai_dien": (
        False,
        _l("Legal representative"),
        _l("The name the registration certificate gives (a household business: its owner)."),
        "Nguyễn Văn An",
    ),
    "website": (
        False,
        _l("Website"),
        _l("haidang.vn or https://haidang.vn/san-pham; a formula is refused."),
        "haidang.vn",
    ),
    "trang_thai": (False, _l("Legal status"), accepted_statuses, "Đang hoạt động"),
    "ngay_tam_ngung": (
        False,
        _l("First day of a suspension of business"),
        _l("A date (dd/mm/yyyy). With a blank status the firm is suspended from this day."),
        "",
    ),
    "tam_ngung_den_ngay": (
        False,
        _l("Day the business resumes after its suspension"),
        _l("A date after the first day of the suspension; a day already past makes the firm active again."),
        "",
    ),
    "ngay_cham_dut": (
        False,
        _l("Day the firm ceased to exist (dissolution, bankruptcy, revoked registration)"),
        _l("A date, not in the future. With a blank status the firm is counted as dissolved from this day."),
        "",
    ),
    "hieu_luc_tu": (
        False,
        _l("Day the row's changes took effect"),
        _l(
            "A date, not in the future: a correction of the commune, legal form, line of business or figures "
            "counts from this day in every past figure. Blank: from the day of the import."
        ),
        "",
    ),
}

COLUMN_GUIDE: tuple[Column, ...] = tuple(
    Column(header, alias, *_GUIDE[header]) for header, (_field, alias) in COLUMNS.items()
)
TEMPLATE_EXAMPLE = [c.example for c in COLUMN_GUIDE]
