"""`flask directory index build` and `flask directory index status`: the machine's directory index."""

from __future__ import annotations

import time
from datetime import datetime

import click
from flask.cli import AppGroup

from app.directory import changes, index_files, index_service
from app.edge import command_unit, reading

directory_cli = AppGroup("directory", help="The public directory.")
index_cli = AppGroup("index", help="The directory's index, one per machine (app/directory/index_service.py).")
directory_cli.add_command(index_cli)


@index_cli.command("build")
@click.option("--wait", is_flag=True, help="If another process is building, wait and then build.")
@click.option("--quiet", is_flag=True, help="Print nothing (a worker starts it).")
@click.option("--full", is_flag=True, help="Read the whole registry again rather than merge the changes.")
def build_command(wait: bool, quiet: bool, full: bool) -> None:
    """Make the machine's next index and make it current: the current one with the changes since
    merged in, or (with none, another layout, or --full) the registry read whole. Run after a
    deployment's `db upgrade`; workers start it themselves when their changes held apart pile up."""
    started = time.monotonic()
    with reading():  # the build's reads: one snapshot, ended before the log is pruned
        made = index_service.build_here(wait=wait, full=full)
    if made is None:
        if not quiet:
            click.echo("Another process of this machine is building the index; nothing done.")
        return
    found = index_files.read(made.parent, made.name)
    position = changes.Position.from_json(found[1]["position"]) if found else None
    if position is not None:
        with command_unit():
            pruned = changes.prune(position)
    if not quiet:
        listed = found[1]["listed"] if found else 0
        megabytes = index_files.size_on_disk(made.parent, made.name) / 2**20
        how = (
            f"merged {found[1]['merged']} changed records into the build before"
            if found and "merged" in found[1]
            else "built"
        )
        click.echo(
            f"{how.capitalize()}: {made} in {time.monotonic() - started:.1f} s: {listed} enterprises listed, "
            f"{megabytes:.0f} MB on disk; {pruned} old change-log rows removed."
        )


@index_cli.command("status")
def status_command() -> None:
    """Which build is current, how old it is, and how many changes it has not read yet."""
    root = index_service.root()
    name = index_files.current_name(root)
    if name is None:
        click.echo(f"No index in {root}: the directory answers in SQL until one is built.")
        return
    found = index_files.read(root, name)
    if found is None:
        click.echo(f"{root / name} cannot be read (another layout): it will be built again.")
        return
    meta = found[1]
    position = changes.Position.from_json(meta["position"])
    waiting, _ = changes.since(position)
    megabytes = index_files.size_on_disk(root, name) / 2**20
    covered = changes.covers(position, datetime.fromisoformat(meta["built_at"]))
    click.echo(
        f"{root / name}: {meta['listed']} enterprises listed, day {meta['day']}, {megabytes:.0f} MB; "
        f"{len(waiting)} enterprises changed since (read by the workers in place); "
        f"change log covers it: {'yes' if covered else 'no — a build is needed'}."
    )
