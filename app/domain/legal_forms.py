"""Legal forms of DOMAIN.md §5 and which of them can be an SME."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class LegalForm:
    code: str
    name_vi: str
    label: object  # lazy translated label
    is_enterprise: bool  # an enterprise under the Law on Enterprises (can be an SME)
    words: tuple[str, ...] = ()  # folded words that name the form in an enterprise's name


LEGAL_FORMS: dict[str, LegalForm] = {
    f.code: f
    for f in (
        LegalForm(
            "tnhh1",
            "Công ty TNHH một thành viên",
            _l("Single-member limited liability company"),
            True,
            (
                "cong ty tnhh mot thanh vien",
                "cong ty tnhh mtv",
                "tnhh mtv",
                "cong ty trach nhiem huu han mot thanh vien",
            ),
        ),
        LegalForm(
            "tnhh2",
            "Công ty TNHH hai thành viên trở lên",
            _l("Multi-member limited liability company"),
            True,
            ("cong ty tnhh hai thanh vien tro len", "cong ty tnhh", "tnhh", "cong ty trach nhiem huu han"),
        ),
        LegalForm("cp", "Công ty cổ phần", _l("Joint-stock company"), True, ("cong ty co phan", "ctcp", "co phan")),
        LegalForm("hd", "Công ty hợp danh", _l("Partnership"), True, ("cong ty hop danh", "hop danh")),
        LegalForm("dntn", "Doanh nghiệp tư nhân", _l("Private enterprise"), True, ("doanh nghiep tu nhan", "dntn")),
        LegalForm("htx", "Hợp tác xã", _l("Cooperative"), True, ("hop tac xa", "htx")),
        LegalForm("hkd", "Hộ kinh doanh", _l("Household business"), False, ("ho kinh doanh", "hkd")),
        LegalForm("branch", "Chi nhánh", _l("Branch"), False, ("chi nhanh",)),
        LegalForm(
            "rep_office", "Văn phòng đại diện", _l("Representative office"), False, ("van phong dai dien", "vpdd")
        ),
    )
}

# Cooperatives are governed by the Law on Cooperatives, yet Decree 80/2021 sizes them like
# enterprises for support; the plan's SME share counts them. Household businesses and
# dependent units are shown apart.
SME_ELIGIBLE = frozenset(code for code, f in LEGAL_FORMS.items() if f.is_enterprise)
# Branches and representative offices: units of their parent (13-digit codes), never SMEs themselves.
DEPENDENT_UNITS = ("branch", "rep_office")
