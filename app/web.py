"""Wire extensions, blueprints, commands and request hooks onto an app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import database, edge, i18n, labels, security, tasks
from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate


def init_app(app: Flask) -> None:
    from app import models  # noqa: F401  (register every table before anything uses the metadata)

    db.init_app(app)
    with app.app_context():
        database.configure_engine(app, db.engine)
    edge.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True, compare_type=True)
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=lambda: app.config["BABEL_DEFAULT_TIMEZONE"]
    )
    csrf.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    if app.config["APP_ENV"] == "production" and str(app.config["RATELIMIT_STORAGE_URI"]).startswith("memory://"):
        app.logger.warning(
            "Rate limits are kept in this process's memory: with more than one worker each counts "
            "apart and lets through more. Set RATELIMIT_STORAGE_URI=redis://… (see the README)."
        )
    login_manager.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    tasks.init_app(app)
    security.init_app(app)

    from app.api import api_bp
    from app.assessment import assessment_bp
    from app.assessment.registry import InstrumentError, load_registry
    from app.auth import auth_bp
    from app.auth.sessions import init_login_manager
    from app.directory import directory_bp
    from app.main import main_bp
    from app.progress import progress_bp
    from app.targets import targets_bp
    from app.useradmin import useradmin_bp
    from app.workspace import workspace_bp

    init_login_manager(app)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(assessment_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(workspace_bp)
    app.register_blueprint(targets_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(useradmin_bp)
    surveys_dir = Path(app.config["SURVEYS_DIR"] or Path(app.root_path).parent / "surveys")
    try:
        app.extensions["instruments"] = load_registry(surveys_dir)
    except InstrumentError as error:
        # Kept so that `flask surveys check` can still run and say what is wrong; serving
        # refuses to start (wsgi.py) and any page that needs an instrument fails loudly.
        app.extensions["instruments"] = error
        app.logger.error("%s", error)

    from app.cli import register_commands

    register_commands(app)
