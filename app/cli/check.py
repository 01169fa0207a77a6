"""`flask check`: every data file the site reads (surveys, rule files, targets), before a deployment."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app import checks, rules
from app.cli.surveys import surveys_dir


@click.command("check")
@with_appcontext
def check_command():
    """Check the survey instruments, the rule files and the targets; fail naming file and place."""
    count, problems = checks.survey_problems(surveys_dir())
    problems += checks.rule_file_problems()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the data files.")
    click.echo(f"{count} instrument file(s) and {len(rules.schema_names())} rule file(s) checked: all sound.")
