"""Wire extensions, blueprints, commands and request hooks onto an app: the composition root, the one
module that imports every feature package (their packages define a blueprint; the modules imported
here add its routes and declare their tasks)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import database, edge, i18n, labels, models, security, tasks  # noqa: F401  (models: every table)
from app.api import api_bp
from app.api import indicators as api_indicators  # noqa: F401  (routes)
from app.api import views as api_views  # noqa: F401
from app.assessment import assessment_bp
from app.assessment import staff_views as assessment_staff_views  # noqa: F401
from app.assessment import views as assessment_views  # noqa: F401
from app.assessment.catalog import InstrumentError, load_catalog
from app.auth import auth_bp
from app.auth import views as auth_views  # noqa: F401
from app.auth.sessions import init_login_manager
from app.cli import register_commands
from app.directory import directory_bp, engage_views, owner_views  # noqa: F401
from app.directory import views as directory_views  # noqa: F401
from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from app.main import main_bp
from app.main import views as main_views  # noqa: F401
from app.progress import cli as progress_cli  # noqa: F401
from app.progress import progress_bp
from app.progress import views as progress_views  # noqa: F401
from app.targets import cli as targets_cli  # noqa: F401
from app.targets import targets_bp
from app.targets import views as targets_views  # noqa: F401
from app.useradmin import useradmin_bp
from app.useradmin import views as useradmin_views  # noqa: F401
from app.workspace import import_views, record_views, workspace_bp  # noqa: F401
from app.workspace import views as workspace_views  # noqa: F401

BLUEPRINTS = (
    main_bp,
    auth_bp,
    assessment_bp,
    directory_bp,
    api_bp,
    workspace_bp,
    targets_bp,
    progress_bp,
    useradmin_bp,
)


def init_app(app: Flask) -> None:
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
    login_manager.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    security.init_app(app)

    init_login_manager(app)
    tasks.init_app(app)  # after the blueprints: their packages declared the tasks
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    surveys_dir = Path(app.config["SURVEYS_DIR"] or Path(app.root_path).parent / "surveys")
    try:
        app.extensions["instruments"] = load_catalog(surveys_dir)
    except InstrumentError as error:
        # Kept so that `flask surveys check` can still run and say what is wrong; serving
        # refuses to start (wsgi.py) and any page that needs an instrument fails loudly.
        app.extensions["instruments"] = error
        app.logger.error("%s", error)

    register_commands(app)
