"""The digital-readiness self-assessment: versioned instruments, questionnaire, scoring, results."""

from flask import Blueprint

assessment_bp = Blueprint("assessment", __name__, template_folder="templates")


@assessment_bp.app_template_global()
def instrument_title(instrument_id: str, version: int) -> str:
    from app.assessment.registry import instrument_title as title

    return title(instrument_id, version)


from app.assessment import staff_views, views  # noqa: E402,F401
