"""Progress toward the province's targets: the public dashboard (/tien-do), one page per indicator,
the staff drill-down to the records behind every number, the XLSX report and the settings.

The rules are in indicators.py (one documented function per computed indicator; T4's in
products_online.py), the figures as of a day in snapshots.py, the status of each target in status.py.
"""

from flask import Blueprint

progress_bp = Blueprint("progress", __name__, template_folder="templates", cli_group="progress")
