"""`flask demo load` and `flask demo generate` (filled in by the demo package)."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demo province and scale data.")
