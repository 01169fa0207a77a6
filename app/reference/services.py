"""Load reference data into the database: idempotent, one transaction, safe to run on every start."""

from __future__ import annotations

import csv
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app import rules
from app.extensions import db
from app.models import Commune, LegacyCommune, Platform, Province, VsicSection
from app.text import fold, normalize, vietnamese_sort_key

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "reference"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return [{k: normalize(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _upsert(model, key: str, rows: list[dict]) -> int:
    existing = {getattr(obj, key): obj for obj in db.session.scalars(select(model))}
    changed = 0
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            db.session.add(model(**row))
            changed += 1
            continue
        for field, value in row.items():
            if getattr(obj, field) != value:
                setattr(obj, field, value)
                changed += 1
    return changed


def load_reference_data() -> int:
    """Insert or refresh every reference table; returns the number of rows changed (flushes only)."""
    changed = _upsert(
        Province,
        "code",
        [
            {"code": r["code"], "name": r["name"], "name_en": r["name_en"], "commune_count": int(r["communes"])}
            for r in _rows("provinces-2025.csv")
        ],
    )
    db.session.flush()
    changed += _upsert(
        Commune,
        "code",
        [
            {
                "code": r["code"],
                "name": r["name"],
                "name_en": r["name_en"],
                "name_folded": fold(r["name"]),
                "province_code": r["province_code"],
                "former_province": r["former_province"] or None,
                "lat": float(r["lat"]) if r["lat"] else None,
                "lon": float(r["lon"]) if r["lon"] else None,
            }
            for r in _rows("communes-dak-lak-66.csv")
        ],
    )
    changed += _upsert(
        VsicSection,
        "code",
        [
            {"code": letter, "name_vi": s["vi"], "name_en": s["en"], "sector_group": s["group"]}
            for letter, s in rules.load("vsic")["sections"].items()
        ],
    )
    changed += _upsert(
        Platform,
        "code",
        [
            {"code": p["code"], "name": p["name"], "domains": " ".join(p["domains"])}
            for p in rules.load("platforms")["platforms"]
        ],
    )
    db.session.flush()
    if not db.session.scalar(select(func.count()).select_from(LegacyCommune)):
        for r in _rows("communes-phu-yen-2025-mapping.csv"):
            db.session.add(
                LegacyCommune(
                    old_code=r["old_code"],
                    old_name=r["old_name"],
                    old_name_folded=fold(r["old_name"]),
                    old_district=r["old_district"],
                    new_code=r["new_code"],
                )
            )
            changed += 1
    db.session.flush()
    return changed


def region_communes():
    """The condition selecting the communes the deployment serves (REGION_* settings)."""
    cfg = current_app.config
    condition = Commune.province_code == cfg["REGION_PROVINCE_CODE"]
    if cfg["REGION_FORMER_PROVINCE"]:
        condition = condition & (Commune.former_province == cfg["REGION_FORMER_PROVINCE"])
    return condition


def communes_in_order() -> list[Commune]:
    """The communes the deployment serves in Vietnamese alphabetical order ("Đ" after "D", never
    codepoint order): every list, filter and form of communes uses it."""
    found = db.session.scalars(select(Commune).where(region_communes())).all()
    return sorted(found, key=lambda c: vietnamese_sort_key(c.name))
