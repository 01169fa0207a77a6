"""`flask surveys check|publish|list`: the versioned instruments in surveys/."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.assessment import check
from app.assessment.instruments import content_hash
from app.assessment.yamlsource import SourceMap

surveys_cli = AppGroup("surveys", help="Survey instruments (check, publish, list).")


def surveys_dir() -> Path:
    return Path(current_app.config["SURVEYS_DIR"] or Path(current_app.root_path).parent / "surveys")


@surveys_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(files: tuple[Path, ...]):
    """Check every instrument (or the given files); fail naming file and line."""
    folder = surveys_dir()
    paths = list(files) or check.instrument_files(folder)
    problems = [p for path in paths for p in check.check_file(path, folder)]
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the survey instruments.")
    click.echo(f"{len(paths)} instrument file(s) checked: all sound.")


@surveys_cli.command("publish")
@click.argument("instrument")
@click.argument("version", type=int)
def publish_command(instrument: str, version: int):
    """Mark a draft as published and record its content hash in surveys/published.lock."""
    folder = surveys_dir()
    path = folder / instrument / f"{version}.yaml"
    if not path.exists():
        raise click.ClickException(f"{path} does not exist.")
    lock = check.read_lock(folder)
    if (instrument, version) in lock:
        raise click.ClickException(f"{instrument} v{version} is already published; make a new version to change it.")
    text = path.read_text(encoding="utf-8")
    new_text, n = re.subn(r"(?m)^status:\s*draft\s*$", "status: published", text)
    if n != 1:
        raise click.ClickException(f"{path} must contain the line `status: draft`.")
    path.write_text(new_text, encoding="utf-8")
    digest = content_hash(SourceMap(path).data)
    problems = check.check_file(path, folder, lock={**lock, (instrument, version): digest})
    if problems:
        path.write_text(text, encoding="utf-8")
        for problem in problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("Not published: fix the problems first.")
    lines = [f"{i} {v} {h}" for (i, v), h in sorted({**lock, (instrument, version): digest}.items())]
    header = "# Published survey versions and the hash of their content. Never edit by hand.\n"
    (folder / "published.lock").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    click.echo(f"Published {instrument} v{version} ({digest}).")


@surveys_cli.command("list")
def list_command():
    """List the instruments, their versions and status."""
    for path in check.instrument_files(surveys_dir()):
        data = SourceMap(path).data
        questions = sum(len(p["questions"]) for p in data["pillars"])
        click.echo(f"{data['id']} v{data['version']} {data['status']} · {questions} questions · {path}")
