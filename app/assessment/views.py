"""Questionnaire pages. Each view: load → check access → call one service → render (app/edge.py commits)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import audit, edge
from app.assessment import assessment_bp, pages, results, services
from app.assessment.catalog import instrument_title, instruments
from app.assessment.instruments import AnswerError
from app.assessment.offers import GRANTED, continue_offers, granted
from app.auth.permissions import is_verified_member
from app.extensions import limiter
from app.i18n import current_language
from app.routing import add_alias, external_url

assessment_bp.add_app_template_global(instrument_title)


def _grant(attempt, token: str | None = None) -> None:
    kept = [p for p in granted() if p != attempt.public_id][-19:]
    session[GRANTED] = [*kept, attempt.public_id]
    if token:
        tokens = dict(session.get("assessment_tokens", {}))
        tokens[attempt.public_id] = token
        session["assessment_tokens"] = dict(list(tokens.items())[-20:])


def _actor():
    return audit.Actor.of(current_user) if current_user.is_authenticated else audit.Actor(None, "anonymous")


def load_attempt(public_id: str):
    attempt = services.by_public_id(public_id)
    if attempt is None:
        abort(404)
    if not services.can_access(attempt, current_user, granted()):
        abort(403)
    return attempt


def answer_message(error: AnswerError) -> str:
    messages = {
        "required": _("Please answer this question."),
        "invalid_choice": _("Choose one of the options."),
        "exclusive_choice": _(
            "“%(choice)s” cannot be combined with other options.", choice=error.params.get("choice", "")
        ),
        "not_a_number": _("Enter a number, for example 12 or 3,5."),
        "out_of_range": _(
            "Enter a number from %(minimum)s to %(maximum)s.",
            minimum=error.params.get("minimum"),
            maximum=error.params.get("maximum"),
        ),
    }
    return messages.get(error.code, _("Please check this answer."))


@assessment_bp.get("/danh-gia")
def index():
    offered = instruments().offered()
    return render_template(
        "assessment/index.html",
        offered=offered,
        memberships=services.memberships_of(current_user),
        offers=continue_offers(current_user),
    )


@assessment_bp.post("/danh-gia/bat-dau/<instrument_id>")
@limiter.limit("30 per hour")
def start(instrument_id: str):
    instrument = instruments().current(instrument_id)
    if instrument is None:
        abort(404)
    enterprise_id = request.form.get("enterprise_id", type=int)
    attempt, token = services.start_attempt(instrument, current_user, enterprise_id, current_language())
    _grant(attempt, token)
    return redirect(url_for("assessment.page", public_id=attempt.public_id, number=1))


@assessment_bp.get("/danh-gia/tiep-tuc/<token>")
def resume(token: str):
    attempt = services.by_token(token)
    if attempt is None:
        abort(404)
    _grant(attempt, token)
    if attempt.is_submitted:
        return redirect(url_for("assessment.result", public_id=attempt.public_id))
    instrument = services.instrument_of(attempt)
    if attempt.page >= len(instrument.pillars):
        return redirect(url_for("assessment.review", public_id=attempt.public_id))
    return redirect(url_for("assessment.page", public_id=attempt.public_id, number=attempt.page + 1))


def _resume_link(attempt) -> str | None:
    token = session.get("assessment_tokens", {}).get(attempt.public_id)
    return external_url("assessment.resume", token=token) if token else None


@assessment_bp.route("/danh-gia/lan/<public_id>/trang/<int:number>", methods=["GET", "POST"])
def page(public_id: str, number: int):
    attempt = load_attempt(public_id)
    if attempt.is_submitted:
        return redirect(url_for("assessment.result", public_id=public_id))
    instrument = services.instrument_of(attempt)
    if not 1 <= number <= len(instrument.pillars):
        abort(404)
    index = number - 1
    returning = request.values.get("return") == "check"  # opened by a change link of the check page
    errors: dict[str, str] = {}
    typed: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.form.get("action", "next")
        submitted = {
            q.name: request.form.getlist(f"q_{q.name}")
            for q in instrument.pillars[index].questions
            if f"q_{q.name}__shown" in request.form
        }
        found = services.save_page(attempt, index, submitted, require=(action == "next"))  # kept even with errors
        if not found:
            if action == "back":
                return redirect(url_for("assessment.page", public_id=public_id, number=max(1, number - 1)))
            if action == "save":
                flash(_("Your answers are saved. Use your private link to come back later."), "success")
                return_to = {"return": "check"} if returning else {}
                return redirect(url_for("assessment.page", public_id=public_id, number=number, **return_to))
            if returning:  # back to the part changed (an explicit fragment: the browser keeps the old one)
                return redirect(url_for("assessment.review", public_id=public_id, _anchor=f"part-{number}"))
            if number == len(instrument.pillars):
                return redirect(url_for("assessment.review", public_id=public_id))
            return redirect(url_for("assessment.page", public_id=public_id, number=number + 1))
        errors = {name: answer_message(e) for name, e in found.items()}
        typed = submitted
    shown, earlier = pages.page_view(instrument, attempt.answers or {}, index)
    return render_template(
        "assessment/page.html",
        attempt=attempt,
        instrument=instrument,
        pillar=instrument.pillars[index],
        number=number,
        total=len(instrument.pillars),
        shown=shown,
        earlier=earlier,
        first_input_id=pages.first_input_id,
        answers=attempt.answers or {},
        errors=errors,
        typed=typed,
        returning=returning,
        resume_link=_resume_link(attempt),
    ), (422 if errors else 200)


@assessment_bp.route("/danh-gia/lan/<public_id>/nop", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def review(public_id: str):
    attempt = load_attempt(public_id)
    if attempt.is_submitted:
        return redirect(url_for("assessment.result", public_id=public_id))
    instrument = services.instrument_of(attempt)
    missing = services.missing_required(instrument, attempt.answers or {})
    if request.method == "POST" and not missing:
        with edge.attempt(shown=False) as outcome:
            services.submit(attempt, _actor())
        if outcome.failed and outcome.error.code != "already_submitted":  # a second click finds it submitted
            raise outcome.error
        return redirect(url_for("assessment.result", public_id=public_id))
    return render_template(
        "assessment/review.html",
        attempt=attempt,
        instrument=instrument,
        missing=missing,
        sections=pages.check_answers(instrument, attempt.answers or {}),
        resume_link=_resume_link(attempt),
    )


@assessment_bp.get("/danh-gia/lan/<public_id>/ket-qua")
def result(public_id: str):
    attempt = load_attempt(public_id)
    if not attempt.is_submitted:
        return redirect(url_for("assessment.review", public_id=public_id))
    if attempt.is_imported:  # no answers behind it: what the department's records say
        return render_template(
            "assessment/imported_result.html",
            attempt=attempt,
            view=results.imported_view(attempt),
            memberships=services.memberships_of(current_user),
        )
    view = results.build_view(attempt, current_app.config["PEER_MINIMUM"])
    return render_template(
        "assessment/result.html",
        attempt=attempt,
        view=view,
        memberships=services.memberships_of(current_user),
        resume_link=_resume_link(attempt),
    )


@assessment_bp.post("/danh-gia/lan/<public_id>/gan")
@login_required
def attach(public_id: str):
    attempt = load_attempt(public_id)
    services.attach(attempt, current_user, request.form.get("enterprise_id", type=int))
    flash(_("The assessment is saved to your account."), "success")
    if attempt.is_submitted:
        return redirect(url_for("assessment.result", public_id=public_id))
    return redirect(
        url_for(
            "assessment.page",
            public_id=public_id,
            number=min(attempt.page + 1, len(services.instrument_of(attempt).pillars)),
        )
    )


@assessment_bp.post("/danh-gia/lan/<public_id>/huy-hieu")
@login_required
def badge(public_id: str):
    attempt = load_attempt(public_id)
    if attempt.enterprise is None or not is_verified_member(current_user, attempt.enterprise_id):
        abort(403)
    services.set_badge(attempt.enterprise, request.form.get("show") == "1", audit.Actor.of(current_user))
    flash(_("Your choice about the readiness badge is saved."), "success")
    return redirect(url_for("assessment.result", public_id=public_id))


@assessment_bp.get("/danh-gia/lich-su")
@login_required
def history():
    attempts = services.history_for(current_user)
    return render_template(
        "assessment/history.html",
        attempts=attempts,
        trend=results.trend_chart(attempts),
        level_name=results.level_name,
        attempt_title=results.attempt_title,
    )


add_alias(assessment_bp, "/assessment", "assessment.index")
