"""Alembic environment: runs migrations with the app's own engine and metadata."""

from __future__ import annotations

import logging

from alembic import context
from flask import current_app

from app.database import write_intent

log = logging.getLogger("alembic.env")
config = context.config
migrate_ext = current_app.extensions["migrate"]
target_metadata = migrate_ext.db.metadata

# Tables managed by raw SQL in migrations (full-text indexes), invisible to autogenerate.
UNMANAGED_PREFIXES = ("enterprise_fts",)
UNMANAGED_INDEXES = {"ix_enterprise_search_tsv"}


def include_object(obj, name, type_, reflected, compare_to):
    if type_ == "table" and name and name.startswith(UNMANAGED_PREFIXES):
        return False
    if type_ == "index" and name in UNMANAGED_INDEXES:
        return False
    return True


def process_revision_directives(context_, revision, directives):
    # An autogenerate run that finds nothing writes no empty migration.
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    url = migrate_ext.db.engine.url.render_as_string(hide_password=False)
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, include_object=include_object)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    options = {**migrate_ext.configure_args, "include_object": include_object}
    options.setdefault("process_revision_directives", process_revision_directives)
    with write_intent(), migrate_ext.db.engine.connect() as connection:  # a migration writes: BEGIN IMMEDIATE
        context.configure(connection=connection, target_metadata=target_metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
