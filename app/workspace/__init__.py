"""The department's workspace (/so/): its home, the review queue, imports, records, duplicates and merges
(targets and user accounts, also under /so/, are the packages app/targets and app/useradmin)."""

from flask import Blueprint

workspace_bp = Blueprint("workspace", __name__, url_prefix="/so", template_folder="templates")
