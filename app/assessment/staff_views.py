"""Staff pages: every submitted assessment, filtered, and its export."""

from __future__ import annotations

from flask import render_template, request
from sqlalchemy import select

from app.assessment import assessment_bp, staff
from app.assessment.catalog import instruments
from app.assessment.results import attempt_title
from app.auth.permissions import staff_required
from app.domain.size import ALL_TIERS
from app.exports import csv_response, xlsx_response
from app.extensions import db
from app.i18n import local_today
from app.models import VsicSection
from app.reference.services import communes_in_order


@assessment_bp.get("/danh-gia/quan-ly")
@staff_required
def staff_list():
    filters = staff.Filters.from_args(request.args)
    page = max(1, request.args.get("page", 1, type=int))
    rows, total = staff.page_of(filters, page)
    communes = communes_in_order()
    sections = db.session.scalars(select(VsicSection).order_by(VsicSection.code)).all()
    return render_template(
        "assessment/staff_list.html",
        rows=rows,
        total=total,
        page=page,
        filters=filters,
        page_size=staff.PAGE_SIZE,
        communes=communes,
        sections=sections,
        instruments=instruments().all(),
        external_instruments=staff.external_instruments(),
        other_bodies=staff.OTHER_BODIES,
        size_tiers=ALL_TIERS,
        attempt_title=attempt_title,
    )


@assessment_bp.get("/danh-gia/quan-ly/xuat.<fmt>")
@staff_required
def staff_export(fmt: str):
    header, codes, rows = staff.export_table(staff.Filters.from_args(request.args))
    name = f"danh-gia-{local_today().isoformat()}"
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows, codes=codes)
    if fmt == "xlsx":
        return xlsx_response(f"{name}.xlsx", header, rows, codes=codes)
    return ("", 404)
