"""The public directory: Vietnamese search with facets, enterprise profiles, exports."""

from flask import Blueprint

directory_bp = Blueprint("directory", __name__, template_folder="templates")
