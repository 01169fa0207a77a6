"""Targets and indicators: the province's plan as data, reported values with their history.

Pages live under the department workspace (/so/chi-tieu); `flask targets load` reads the plan file.
"""

from flask import Blueprint

targets_bp = Blueprint("targets", __name__, url_prefix="/so", template_folder="templates", cli_group="targets")
