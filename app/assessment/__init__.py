"""The digital-readiness self-assessment: versioned instruments, questionnaire, scoring, results."""

from flask import Blueprint

assessment_bp = Blueprint("assessment", __name__, template_folder="templates")
