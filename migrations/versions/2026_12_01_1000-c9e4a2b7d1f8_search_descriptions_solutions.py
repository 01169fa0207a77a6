"""Search reads the description and the declared solution categories too: search_text recomputed.

What an investor types ("truy xuất", "QR", "hóa đơn điện tử") is often in what a firm says it does
or offers, not in its name. No schema change: the stored text of each enterprise with a description
or declared solutions gains their folded words; downgrade takes them out again.

Revision ID: c9e4a2b7d1f8
Revises: b8d3f2a1c6e5
Create Date: 2026-12-01 10:00:00
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "c9e4a2b7d1f8"
down_revision = "b8d3f2a1c6e5"
branch_labels = None
depends_on = None

# The text rules and the categories' names as they are at this revision, frozen here: a migration
# never imports the application (app/search_text.py, app/text.py and surveys/categories.yaml hold today's).
_LEGAL_FORMS = sorted(
    {"cong ty trach nhiem huu han", "trach nhiem huu han", "cong ty tnhh", "tnhh", "mot thanh vien", "mtv",
     "hai thanh vien tro len", "hai thanh vien", "cong ty co phan", "co phan", "ctcp", "cong ty hop danh",
     "hop danh", "doanh nghiep tu nhan", "dntn", "hop tac xa", "htx", "ho kinh doanh", "hkd", "chi nhanh",
     "van phong dai dien", "vpdd", "cong ty", "cty"},
    key=len, reverse=True,
)
_LEGAL_FORM_WORDS = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in _LEGAL_FORMS) + r")\b")


def _normalize(text):
    text = "".join(" " if ch in "\t\r\n" else ch for ch in str(text or "")
                   if ch in "\t\r\n" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"})
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def _fold(text):
    decomposed = unicodedata.normalize("NFD", _normalize(text).replace("đ", "d").replace("Đ", "D"))
    kept = "".join(ch if unicodedata.category(ch).startswith("L") or unicodedata.category(ch) == "Nd" else " "
                   for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", kept.lower()).strip()


def search_text(name, extra=()):
    parts = [" ".join(_LEGAL_FORM_WORDS.sub(" ", _fold(name)).split())] + [_fold(x) for x in extra]
    return " ".join(p for p in parts if p)


CATEGORIES = {
    "e_invoice": ("Hóa đơn điện tử", "E-invoicing"),
    "accounting": ("Phần mềm kế toán", "Accounting software"),
    "ecommerce": ("Bán hàng trên sàn thương mại điện tử", "Selling on e-commerce platforms"),
    "website": ("Thiết kế website", "Website design"),
    "social_marketing": ("Tiếp thị số và mạng xã hội", "Digital and social-media marketing"),
    "cybersecurity": ("An toàn thông tin", "Cybersecurity"),
    "erp_crm": ("Phần mềm quản trị (ERP, CRM)", "Management software (ERP, CRM)"),
    "cloud": ("Điện toán đám mây và sao lưu", "Cloud services and backup"),
    "training": ("Đào tạo kỹ năng số", "Digital-skills training"),
    "consulting": ("Tư vấn chuyển đổi số", "Digital-transformation consulting"),
    "data_analytics": ("Phân tích dữ liệu", "Data analytics"),
    "payments": ("Thanh toán điện tử", "Electronic payments"),
    "connectivity": ("Internet và hạ tầng mạng", "Internet and networking"),
}


def _refill(bind, with_offer: bool) -> None:
    solutions: dict[int, list[str]] = {}
    for enterprise_id, code in bind.execute(sa.text("SELECT enterprise_id, category FROM enterprise_solution")):
        solutions.setdefault(enterprise_id, []).append(code)
    described = {
        r[0]: r[1]
        for r in bind.execute(sa.text("SELECT id, description FROM enterprise WHERE description IS NOT NULL"))
    }
    touched = sorted(set(solutions) | set(described))
    if not touched:
        return
    products: dict[int, list[str]] = {}
    for enterprise_id, name in bind.execute(
        sa.text("SELECT enterprise_id, name FROM product WHERE is_active ORDER BY name")
    ):
        products.setdefault(enterprise_id, []).append(name)
    rows = bind.execute(
        sa.text("SELECT e.id, e.name, c.name FROM enterprise e JOIN commune c ON c.code = e.commune_code")
    ).all()
    wanted = set(touched)
    for enterprise_id, name, commune in rows:
        if enterprise_id not in wanted:
            continue
        extra = [*products.get(enterprise_id, []), commune]
        if with_offer:
            if described.get(enterprise_id):
                extra.append(described[enterprise_id])
            for code in sorted(solutions.get(enterprise_id, [])):
                extra.extend(CATEGORIES.get(code, ()))
        bind.execute(
            sa.text("UPDATE enterprise SET search_text = :t WHERE id = :i"),
            {"t": search_text(name, extra), "i": enterprise_id},
        )


def upgrade():
    _refill(op.get_bind(), with_offer=True)


def downgrade():
    _refill(op.get_bind(), with_offer=False)
