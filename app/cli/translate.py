"""`flask translate extract|update|compile|check` around pybabel, for the catalogues in translations/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.i18n_check import problems

ROOT = Path(__file__).resolve().parents[2]
POT = ROOT / "translations" / "messages.pot"

translate_cli = AppGroup("translate", help="Translation catalogues (vi, en).")


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translate_cli.command("extract")
def extract():
    """Extract messages from the code and templates into translations/messages.pot."""
    _pybabel(
        "extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "--no-wrap", "-o", str(POT), "."
    )


@translate_cli.command("update")
def update():
    """Extract, then merge new messages into every catalogue (new entries need translating)."""
    extract.callback()
    _pybabel("update", "-i", str(POT), "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete", "--no-wrap")


@translate_cli.command("compile")
def compile_():
    """Compile the catalogues to .mo files the site reads."""
    _pybabel("compile", "-d", "translations", "--statistics")


@translate_cli.command("check")
def check():
    """Fail on any untranslated or fuzzy entry in any catalogue."""

    found = problems(ROOT / "translations")
    for line in found:
        click.echo(line, err=True)
    if found:
        raise click.ClickException(f"{len(found)} translation problems.")
    click.echo("All catalogues complete.")
