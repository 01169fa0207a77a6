"""VSIC 2018 level-1 sections."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class VsicSection(db.Model):
    code: Mapped[str] = mapped_column(String(1), primary_key=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    sector_group: Mapped[str] = mapped_column(String(20))  # agri_industry | trade_services
