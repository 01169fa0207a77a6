"""An earlier readiness survey of the demo province: past assessment results the department imports.

Before the plan began, in the autumn of 2022, the province's Department of Information and
Communications surveyed a sample of SMEs with an instrument of its own (an external one here). Its
results come in through the results import (app/imports/kinds/results.py): they count toward T5 only
when the indicator setting ``t5_counts_external`` says so (off by default), so the demo's figures are
the same either way unless the department turns it on — which shows what the setting does.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from app.demo.composer import Draft, Weighted
from app.demo.files import key_in_files
from app.demo.history import day_between
from app.domain.legal_forms import SME_ELIGIBLE
from app.domain.size import COUNTED_AS_SME

SURVEY = "Khảo sát mức độ chuyển đổi số của doanh nghiệp nhỏ và vừa năm 2022 (Sở Thông tin và Truyền thông Phú Yên)"
EXTERNAL = "ngoài"  # how the results file says the instrument is not one of the site's
FIRST_DAY, LAST_DAY = date(2022, 8, 1), date(2022, 11, 30)
SURVEYED = 0.08  # of the SMEs in business then
LEVELS = Weighted(range(5), (30, 42, 21, 6, 1))


def results(rng: random.Random, drafts: list[Draft], size_tiers: dict[str, str]) -> list[dict[str, Any]]:
    """A line of the results file for each surveyed SME in business on its day (``size_tiers``: the
    tier of each draft, by its key)."""
    rows = []
    for draft in drafts:
        f = draft.fields
        if f["legal_form"] not in SME_ELIGIBLE or size_tiers[f["public_key"]] not in COUNTED_AS_SME:
            continue
        if rng.random() >= SURVEYED:
            continue
        day = day_between(rng, FIRST_DAY, LAST_DAY)
        if f["founded_on"] > day - timedelta(days=90) or (f["ceased_on"] is not None and f["ceased_on"] <= day):
            continue
        level = LEVELS.pick(rng)
        share = min(0.95, level * 0.17 + rng.uniform(0.04, 0.16))
        rows.append(
            {
                "code": key_in_files(f),
                "submitted_on": day,
                "instrument": EXTERNAL,
                "instrument_name": SURVEY,
                "overall_level": level,
                "score": f"{share * 100:.0f}%",
            }
        )
    return rows
