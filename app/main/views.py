"""Home, about, help, contact, privacy notice and the language switch."""

from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from app.assessment.catalog import instruments
from app.assessment.offers import continue_offers
from app.auth import services as accounts
from app.auth.permissions import is_staff
from app.directory.contact import inbox_of
from app.directory.contact import unread_count as count
from app.edge import writes
from app.i18n import LANG_COOKIE, current_language, local_today
from app.main import main_bp
from app.models.values import Role
from app.progress import display as progress_display
from app.progress import services as progress_services
from app.registry.services import registry_counts
from app.routing import add_alias, safe_next

# The site's navigation, in one place. (endpoint, label, audience): audience None is everyone,
# "staff" the department only. The brand links home; contact, privacy, About and the API are in the footer.
NAV_ITEMS: tuple[tuple[str, object, str | None], ...] = (
    ("directory.index", _l("Enterprises"), None),
    ("directory.startups", _l("Startups"), None),
    ("assessment.index", _l("Self-assessment"), None),
    ("progress.index", _l("Progress"), None),
    ("main.help_page", _l("Help"), None),
    ("workspace.home", _l("Department"), "staff"),
)


@main_bp.app_context_processor
def _shell_helpers():
    def region_name() -> str:
        cfg = current_app.config
        return cfg["REGION_NAME_EN"] if current_language() == "en" else cfg["REGION_NAME_VI"]

    def department() -> dict[str, str]:
        """Who runs the site (DEPARTMENT_* settings), in the page's language."""
        cfg = current_app.config
        suffix = "EN" if current_language() == "en" else "VI"
        phone = cfg["DEPARTMENT_PHONE"]
        return {
            "name": cfg[f"DEPARTMENT_NAME_{suffix}"],
            "address": cfg[f"DEPARTMENT_ADDRESS_{suffix}"],
            "hours": cfg[f"DEPARTMENT_HOURS_{suffix}"],
            "phone": phone,
            "phone_link": "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+"),
            "email": cfg["DEPARTMENT_EMAIL"],
        }

    def nav_items() -> list[tuple[str, str]]:
        staff = is_staff(current_user)
        return [(endpoint, label) for endpoint, label, audience in NAV_ITEMS if audience is None or staff]

    def unread_count() -> int:
        return count(current_user) if current_user.is_authenticated else 0

    return {
        "region_name": region_name,
        "department": department,
        "nav_items": nav_items,
        "unread_count": unread_count,
        "shell_part": shell_part,
    }


def shell_part(template: str) -> Markup:
    """A part of every page's frame (the navigation, the footer): for an anonymous visitor it depends
    only on the language and the page, so it is rendered once per process for each (a third of a
    profile page's rendering went there); a signed-in person's is rendered for them."""
    if current_user.is_authenticated:
        return Markup(render_template(template))
    parts = current_app.extensions.setdefault("shell_parts", {})
    key = (template, current_language(), request.endpoint, request.script_root)
    found = parts.get(key)
    if found is None:
        found = parts[key] = Markup(render_template(template))
    return found


@main_bp.get("/")
def home():
    s = progress_services.current_settings()
    progress = [
        progress_services.indicator_view(i, local_today(), s, minimum=int(s.suppression_minimum))
        for i in progress_services.all_indicators()
        if i.kind == "computed"
    ]
    return render_template(
        "main/home.html",
        counts=registry_counts(),
        progress=progress,
        status_labels=progress_display.STATUS_LABELS,
        status_badges=progress_display.STATUS_BADGES,
    )


@main_bp.get("/gioi-thieu")
def about():
    return render_template("main/about.html")


@main_bp.get("/quyen-rieng-tu")
def privacy():
    return render_template("main/privacy.html")


@main_bp.get("/tro-giup")
def help_page():
    counting = [i for i in instruments().offered() if i.counts_toward_indicators]
    return render_template(
        "main/help.html",
        instrument=counting[0] if counting else None,
        validity_months=progress_services.current_settings().t5_validity_months,
    )


@main_bp.get("/lien-he")
def contact():
    return render_template("main/contact.html")


@main_bp.get("/tai-khoan")
@login_required
def account():
    """The account, with what this person is likely to do next: an attempt to continue, an owner
    without an enterprise the first steps, an investor the firms they follow and the requests they sent.
    (It gathers several features, so it lives here, above them.)"""
    boxes = inbox_of(current_user) if current_user.role == Role.INVESTOR else None
    return render_template("main/account.html", offers=continue_offers(current_user), boxes=boxes)


@main_bp.get("/ngon-ngu/<lang>")
@writes
def set_language(lang: str):
    """The page's language; for a signed-in person also the language of their e-mails and notices."""
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        accounts.set_language(current_user, lang)
    response = make_response(redirect(safe_next(request.args.get("next"), url_for("main.home"))))
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


add_alias(main_bp, "/about", "main.about")
add_alias(main_bp, "/privacy", "main.privacy")
add_alias(main_bp, "/help", "main.help_page")
add_alias(main_bp, "/contact", "main.contact")
add_alias(main_bp, "/account", "main.account")
