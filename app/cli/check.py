"""`flask check`: every data file the site reads (surveys, rule files, targets), before a deployment;
with `--production`, first the settings production refuses (app/production.py), without starting.

It is a plugin command (pyproject.toml, `flask.commands`) so that Flask finds it without building the
app: a production app with unsafe settings refuses to be built, and this command must still say why.
"""

from __future__ import annotations

import click
from flask.cli import ScriptInfo

from app import checks, rules
from app import production as policy
from app.cli.surveys import surveys_dir
from app.config import default_instance_path, load_settings


@click.command("check")
@click.option(
    "--production", is_flag=True, help="Also check the settings as production would, and list the unsafe ones."
)
@click.pass_context
def check_command(ctx: click.Context, production: bool) -> None:
    """Check the survey instruments, the rule files and the targets; fail naming file and place."""
    if production:
        values = load_settings(default_instance_path())
        found = policy.problems(values)
        for problem in found:
            click.echo(f"unsafe: {problem}", err=True)
        if found:
            raise click.ClickException(f"{len(found)} unsafe setting(s) for APP_ENV=production.")
        click.echo("Production settings: none unsafe.")
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        _check_data_files()


def _check_data_files() -> None:
    count, problems = checks.survey_problems(surveys_dir())
    problems += checks.rule_file_problems()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the data files.")
    click.echo(f"{count} instrument file(s) and {len(rules.schema_names())} rule file(s) checked: all sound.")
