"""The public, read-only JSON API v1: the same services as the HTML pages."""

from flask import Blueprint

api_bp = Blueprint("api", __name__, url_prefix="/api/v1", template_folder="templates")
