"""Application factory."""

from __future__ import annotations

import os

from app.config import derive_flask_settings, load_settings
from app.edge import Site


def create_app(test_config: dict | None = None) -> Site:
    """Create and configure the site: settings, extensions, blueprints, commands."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or None
    app = Site(__name__, instance_path=instance_path, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(derive_flask_settings(load_settings(app.instance_path, test_config), app.instance_path))

    if int(app.config["PROXY_COUNT"]) > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from app import web

    web.init_app(app)
    return app
