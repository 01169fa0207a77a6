"""User management for administrators: staff accounts created, re-roled, deactivated (at /so/nguoi-dung)."""

from flask import Blueprint

useradmin_bp = Blueprint("useradmin", __name__, url_prefix="/so", template_folder="templates")
