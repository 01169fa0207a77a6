"""Command-line groups: demo, directory, users, translate, reference, surveys, registry, mail, `flask worker`
and `flask db backup|restore` (`flask check` is a plugin command as well: app/cli/check.py)."""

from __future__ import annotations

from flask import Flask

from app.cli import (
    backup,
    check,
    demo,
    directory,
    mail,
    maintenance,  # noqa: F401  (adds `flask db analyze`)
    reference,
    registry,
    surveys,
    translate,
    users,
    worker,
)


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo.demo_cli)
    app.cli.add_command(users.users_cli)
    app.cli.add_command(translate.translate_cli)
    app.cli.add_command(reference.reference_cli)
    app.cli.add_command(surveys.surveys_cli)
    app.cli.add_command(registry.registry_cli)
    app.cli.add_command(directory.directory_cli)
    app.cli.add_command(mail.mail_cli)
    app.cli.add_command(worker.worker_command)
    app.cli.add_command(check.check_command)  # also a plugin command: found before the app is built
    backup.register(app)
