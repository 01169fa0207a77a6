"""WSGI entry point: `gunicorn wsgi:app`. Refuses to start when a survey instrument is broken, or, in
production, when a setting is unsafe (app/production.py names each one)."""

from app import create_app
from app.assessment.catalog import instruments

app = create_app()
with app.app_context():
    instruments()
