"""Digital-technology firms and innovative startups, flagged and verified as the department would.

The labels the department verified come in with its labels file (app/demo/files.py); what a firm
says of itself (its description, a startup's stage and the funding it seeks) and the labels it has
asked for that the department has not decided yet are written afterwards, through the registry's
service, as the firm's own edits.
"""

from __future__ import annotations

import random

from app import audit
from app.demo.composer import BN, Composer, Draft, Weighted
from app.demo.history import startup_pitch
from app.demo.trades import TECH_DESCRIPTIONS, TECH_TRADES
from app.extensions import db
from app.models import Enterprise, EnterpriseSolution
from app.registry.services import refresh_search_text, update_enterprise
from app.text import fold

TECH_FORMS = ("tnhh1", "tnhh2", "cp")
SELF_DECLARED = ("description", "stage", "funding_sought_vnd")  # what a firm writes of itself
STARTUP_IDEAS = (
    "sản phẩm phần mềm do doanh nghiệp tự phát triển, đã đăng ký quyền tác giả",
    "mô hình kinh doanh mới trên nền tảng số",
    "giải pháp công nghệ ứng dụng cho nông nghiệp và thủy sản của địa phương",
)
_TRADES = Weighted(TECH_TRADES, [t.weight for t in TECH_TRADES])


def tech_firm(composer: Composer, startup: bool = False) -> Draft:
    """A verified digital-technology firm; a startup is founded in the last five years and stays small.

    The day of each verification (and ``verified_at``) is set by history.date_labels once the
    record has its registration day.
    """
    rng, as_of = composer.rng, composer.as_of
    trade = _TRADES.pick(rng)
    draft = composer.draft(trade=trade, legal_form=rng.choice(TECH_FORMS))
    fields = draft.fields
    fields.update(
        status="active",
        is_digital_tech=True,
        digital_tech_verification="verified",
        digital_tech_basis=f"Ngành chính VSIC {trade.vsic} – {trade.label}",
        description=rng.choice(TECH_DESCRIPTIONS[trade.vsic]),
    )
    if startup:
        founded = composer.founded_on(earliest=max(2022, as_of.year - 4))
        young = (as_of - founded).days < 365
        fields.update(
            founded_on=founded,
            employees=rng.randint(3, 25),
            capital_vnd=rng.choice((1, 2, 3, 5)) * BN,
            revenue_vnd=None if young else rng.randint(300, 9_000) * 1_000_000,
            is_startup=True,
            startup_verification="verified",
            startup_basis=(
                f"Thành lập ngày {founded:%d/%m/%Y}, chưa quá 5 năm kể từ ngày đăng ký lần đầu "
                f"(Luật 04/2017/QH14, Điều 3 khoản 2); {rng.choice(STARTUP_IDEAS)}"
            ),
        )
        startup_pitch(rng, fields, as_of)
    if fields["website"] is None and rng.random() < 0.8:
        fields["website"] = f"https://{fold(draft.brand).replace(' ', '')}-{trade.vsic}.example.com"
    return draft


# What each digital-technology line of business plausibly offers (solution categories).
SOLUTIONS_BY_VSIC = {
    "6201": ("website", "erp_crm", "accounting", "ecommerce"),
    "6202": ("consulting", "cybersecurity", "training", "erp_crm"),
    "6209": ("cybersecurity", "cloud", "training"),
    "6311": ("cloud", "data_analytics", "e_invoice"),
    "6312": ("website", "social_marketing", "ecommerce"),
    "5820": ("accounting", "e_invoice", "payments"),
    "6190": ("connectivity", "cloud"),
}


def declare_solutions(rng: random.Random, drafts: list[Draft], id_of: dict[str, int]) -> None:
    """Demo providers declare two to four solution categories, so results can point at them and
    search find them (flushes)."""
    declared = []
    for draft in drafts:
        offered = SOLUTIONS_BY_VSIC.get(draft.fields.get("main_vsic") or "")
        if not draft.fields.get("is_digital_tech") or not offered:
            continue
        chosen = rng.sample(offered, k=min(len(offered), rng.randint(2, 4)))
        for category in sorted(chosen):
            db.session.add(EnterpriseSolution(enterprise_id=id_of[draft.fields["public_key"]], category=category))
        declared.append(id_of[draft.fields["public_key"]])
    db.session.flush()
    for enterprise_id in declared:
        refresh_search_text(db.session.get(Enterprise, enterprise_id))
    db.session.flush()


def declare_themselves(drafts: list[Draft], id_of: dict[str, int], actor: audit.Actor) -> int:
    """What the tech firms say of themselves, and the labels they asked for that still wait for the
    department (no line of its list): each an audited edit of the record (flushes). Returns how many
    records changed."""
    changed = 0
    for draft in drafts:
        fields = draft.fields
        if not (fields.get("is_digital_tech") or fields.get("is_startup")):
            continue
        changes = {k: fields[k] for k in SELF_DECLARED if fields.get(k) is not None}
        for label in ("digital_tech", "startup"):
            if fields.get(f"is_{label}") and fields.get(f"{label}_verified_on") is None:
                changes.update({f"is_{label}": True, f"{label}_basis": fields.get(f"{label}_basis")})
        enterprise = db.session.get(Enterprise, id_of[fields["public_key"]])
        changed += update_enterprise(enterprise, actor, "demo", **changes)
    db.session.flush()
    return changed
