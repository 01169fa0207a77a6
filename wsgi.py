"""WSGI entry point: `gunicorn wsgi:app`. Refuses to start when a survey instrument is broken."""

from app import create_app
from app.assessment.registry import instruments

app = create_app()
with app.app_context():
    instruments()
