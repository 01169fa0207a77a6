"""The department's workspace: review queues (and, later, imports, merges, targets)."""

from flask import Blueprint

workspace_bp = Blueprint("workspace", __name__, url_prefix="/so", template_folder="templates")

from app.workspace import import_views, record_views, views  # noqa: E402,F401
