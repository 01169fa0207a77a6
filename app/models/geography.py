"""Provinces and communes since 1 July 2025, and the pre-2025 communes mapped to them."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Province(db.Model):
    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    commune_count: Mapped[int | None]


class Commune(db.Model):
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    name_folded: Mapped[str] = mapped_column(String(100), index=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
    former_province: Mapped[str | None] = mapped_column(String(100))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    province: Mapped[Province] = relationship()


class LegacyCommune(db.Model):
    """A commune as it was before 1 July 2025 and the new unit it became (two rows if split)."""

    __table_args__ = (UniqueConstraint("old_code", "new_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    old_code: Mapped[str] = mapped_column(String(5), index=True)
    old_name: Mapped[str] = mapped_column(String(100))
    old_name_folded: Mapped[str] = mapped_column(String(100), index=True)
    old_district: Mapped[str] = mapped_column(String(100))
    new_code: Mapped[str] = mapped_column(ForeignKey("commune.code"))

    new_commune: Mapped[Commune] = relationship()
