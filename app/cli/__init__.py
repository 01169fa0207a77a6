"""Command-line groups: demo, users, translate, reference, surveys, and `flask db backup|restore`."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    from app.cli import backup, demo, maintenance, reference, registry, surveys, translate, users  # noqa: F401

    app.cli.add_command(demo.demo_cli)
    app.cli.add_command(users.users_cli)
    app.cli.add_command(translate.translate_cli)
    app.cli.add_command(reference.reference_cli)
    app.cli.add_command(surveys.surveys_cli)
    app.cli.add_command(registry.registry_cli)
    backup.register(app)
