"""Application factory."""

from __future__ import annotations

import os

from app import production
from app.config import default_instance_path, derive_flask_settings, load_settings
from app.edge import Site


def create_app(test_config: dict | None = None) -> Site:
    """Create and configure the site: settings, extensions, blueprints, commands."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or default_instance_path()
    settings = load_settings(instance_path, test_config)
    production.refuse_if_unsafe(settings)
    os.umask(0o077)  # what the site writes (database, queue, mail, keys) is readable by its own user only
    os.makedirs(instance_path, mode=0o700, exist_ok=True)
    _private(instance_path)
    app = Site(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_mapping(derive_flask_settings(settings, instance_path))

    if int(app.config["PROXY_COUNT"]) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from app import web

    web.init_app(app)
    return app


def _private(folder: str) -> None:
    """The instance folder holds the database, the queue, keys and mail: its owner's alone."""
    try:
        os.chmod(folder, 0o700)
    except PermissionError:  # another user's folder, shared on purpose: left as its owner set it
        pass
