"""`flask users …`: create accounts (staff, admin), deactivate them, reset their two-step sign-in, and a
development TOTP helper."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app import audit
from app.auth import lifecycle, services, totp
from app.edge import command_unit
from app.models.values import Role

users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", type=click.Choice(Role.listed()), default="staff", show_default=True)
@click.password_option(help="Prompted for (hidden) when not given.")
def create_command(email: str, full_name: str, role: str, password: str):
    """Create a verified account. Staff and admins set up two-step sign-in at their first sign-in."""
    with command_unit():
        user = services.create_user(email, full_name, role, password)
    click.echo(f"Created {role} {user.email}.")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str):
    """Deactivate an account and end all its sessions."""
    with command_unit():
        user = services.get_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account {email}.")
        lifecycle.set_active(user, False, audit.CLI)
    click.echo(f"Deactivated {user.email}.")


@users_cli.command("reset-totp")
@click.argument("email")
def reset_totp_command(email: str):
    """Forget an account's authenticator app (lost phone, or SECRET_KEY changed): it sets up a new one
    at its next sign-in."""
    with command_unit():
        user = services.get_user_by_email(email)
        if user is None:
            raise click.ClickException(f"No account {email}.")
        services.reset_two_factor(user, audit.CLI)
    click.echo(f"Two-step sign-in of {user.email} reset: a new authenticator is set up at the next sign-in.")


@users_cli.command("totp")
@click.argument("email")
def totp_command(email: str):
    """Print the current two-step code of an account (development only, for the demo accounts)."""
    if current_app.config["APP_ENV"] == "production" or not current_app.config["DEMO_TOTP_HELPER"]:
        raise click.ClickException("Not available in production.")
    user = services.get_user_by_email(email)
    if user is None or user.totp_enabled_at is None:
        raise click.ClickException(f"{email} has no two-step sign-in.")
    if not user.totp_secret:  # decrypted when read (app/models/user.py)
        raise click.ClickException(f"{email}: this SECRET_KEY cannot read the secret; see `users reset-totp`.")
    click.echo(totp.current_code(user.totp_secret))
