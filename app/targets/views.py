"""Target pages: the list, one indicator with its history and entry form, the admins' target edit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app import audit, indicator_settings
from app.auth.permissions import admin_required, is_admin, staff_required
from app.edge import attempt
from app.extensions import db
from app.i18n import fmt_date, local_today
from app.models import Target
from app.progress import snapshots
from app.progress.display import value_text
from app.progress.indicators import DEFINITIONS
from app.targets import services, targets_bp
from app.targets.display import format_value, template_helpers
from app.targets.forms import IndicatorValueForm, SettingForm, TargetForm

UNIT_HINTS = {
    "percent": _l("A percentage from 0 to 100, for example 87.5."),
    "percent_grdp": _l("A share of GRDP in percent, from 0 to 100, for example 8.2."),
    "count": _l("A number, for example 120."),
}


@targets_bp.context_processor
def _helpers():
    return {**template_helpers(), "is_admin": is_admin(current_user)}


def _indicator(code: str):
    return services.get_indicator(code) or abort(404)


def _render_indicator(indicator, form):
    form.value.description = UNIT_HINTS.get(indicator.unit)
    return render_template(
        "targets/indicator.html", indicator=indicator, form=form, history=services.history(indicator)
    )


@targets_bp.get("/chi-tieu")
@staff_required
def index():
    indicators = services.indicators()
    years = sorted({t.year for i in indicators for t in i.targets})
    items = [(i, services.latest_value(i)) for i in indicators]
    s = indicator_settings.current()
    computed = {
        i.code: snapshots.figure(i.code, local_today(), s)
        for i in indicators
        if i.kind == "computed" and i.code in DEFINITIONS
    }
    return render_template("targets/index.html", items=items, years=years, computed=computed, progress_value=value_text)


@targets_bp.get("/chi-tieu/cai-dat")
@staff_required
def settings_index():
    return render_template("targets/settings.html", rows=indicator_settings.rows())


@targets_bp.route("/chi-tieu/cai-dat/<key>", methods=["GET", "POST"])
@admin_required
def edit_setting(key: str):
    spec = indicator_settings.SPECS.get(key) or abort(404)
    row = next(r for s, r in indicator_settings.rows() if s.key == key)
    form = SettingForm(obj=row if request.method == "GET" else None)
    if request.method == "GET" and row is None:
        form.value.data = str(spec.default)
    elif form.validate_on_submit():
        with attempt(form):
            changed = indicator_settings.change(
                key, form.value.data, form.reading_vi.data, form.reading_en.data, audit.Actor.of(current_user)
            )
            flash(
                _("Setting saved: the definitions and figures follow it now.") if changed else _("Nothing changed."),
                "success",
            )
            return redirect(url_for("targets.settings_index"))
    return render_template(
        "targets/edit_setting.html", spec=spec, form=form, thresholds=indicator_settings.THRESHOLDS
    ), (422 if form.errors else 200)


@targets_bp.get("/chi-tieu/<code>")
@staff_required
def indicator(code: str):
    return _render_indicator(_indicator(code), IndicatorValueForm())


@targets_bp.post("/chi-tieu/<code>")
@staff_required
def add_value(code: str):
    indicator = _indicator(code)
    form = IndicatorValueForm()
    if form.validate_on_submit():
        with attempt(form):
            entry = services.add_value(
                indicator,
                value=form.value.data,
                as_of=form.as_of.data,
                source_document=form.source_document.data,
                note=form.note.data,
                actor=audit.Actor.of(current_user),
            )
            flash(
                _(
                    "Value %(value)s as of %(date)s saved.",
                    value=format_value(entry.value, indicator.unit),
                    date=fmt_date(entry.as_of),
                ),
                "success",
            )
            return redirect(url_for("targets.indicator", code=code))
    return _render_indicator(indicator, form), 422


@targets_bp.route("/chi-tieu/<code>/<int:year>", methods=["GET", "POST"])
@admin_required
def edit_target(code: str, year: int):
    indicator = _indicator(code)
    target = db.session.scalar(select(Target).where(Target.indicator_id == indicator.id, Target.year == year)) or abort(
        404
    )
    form = TargetForm(obj=target if request.method == "GET" else None)
    if request.method == "GET":
        form.value.data = "" if target.value is None else format_value(target.value, "count")
    elif form.validate_on_submit():
        with attempt(form):
            changed = services.update_target(
                target,
                value=form.value.data,
                reading_vi=form.reading_vi.data,
                reading_en=form.reading_en.data,
                status=form.status.data,
                status_note=form.status_note.data,
                actor=audit.Actor.of(current_user),
            )
            flash(_("Target saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("targets.indicator", code=code))
    return render_template("targets/edit_target.html", indicator=indicator, target=target, form=form), (
        422 if form.errors else 200
    )
