"""Digital-technology firms and innovative startups, flagged and verified as the department would."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from app.demo.composer import BN, Composer, Draft, Weighted
from app.demo.trades import TECH_DESCRIPTIONS, TECH_TRADES
from app.text import fold

TECH_FORMS = ("tnhh1", "tnhh2", "cp")
STARTUP_IDEAS = (
    "sản phẩm phần mềm do doanh nghiệp tự phát triển, đã đăng ký quyền tác giả",
    "mô hình kinh doanh mới trên nền tảng số",
    "giải pháp công nghệ ứng dụng cho nông nghiệp và thủy sản của địa phương",
)
_TRADES = Weighted(TECH_TRADES, [t.weight for t in TECH_TRADES])


def tech_firm(composer: Composer, startup: bool = False) -> Draft:
    """A verified digital-technology firm; a startup is founded in the last five years and stays small."""
    rng, as_of = composer.rng, composer.as_of
    trade = _TRADES.pick(rng)
    draft = composer.draft(trade=trade, legal_form=rng.choice(TECH_FORMS))
    fields = draft.fields
    fields.update(
        status="active",
        is_digital_tech=True,
        digital_tech_verification="verified",
        digital_tech_basis=f"Ngành chính VSIC {trade.vsic} – {trade.label}; Sở đã xác minh",
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
                f"(Luật 04/2017/QH14, Điều 3 khoản 2); {rng.choice(STARTUP_IDEAS)}; Sở đã xác minh"
            ),
        )
    if fields["website"] is None and rng.random() < 0.8:
        fields["website"] = f"https://{fold(draft.brand).replace(' ', '')}-{trade.vsic}.example.com"
    # The department checked the flag some time after registration, within the last eighteen months.
    earliest = min(
        max(fields["founded_on"] + timedelta(days=30), as_of - timedelta(days=540)), as_of
    )
    checked = date.fromordinal(rng.randint(earliest.toordinal(), as_of.toordinal()))
    fields["verified_at"] = datetime.combine(checked, time(9, 0), tzinfo=UTC)
    return draft
