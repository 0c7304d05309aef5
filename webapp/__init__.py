"""The web app: search, reader and JSON API over an archive built by ``archive ingest``."""
from __future__ import annotations

import os

from flask import Flask

from archive.config import Settings

CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app; ``test_config`` (or the environment) says which archive it serves."""
    app = Flask(__name__)
    app.config.from_mapping(SETTINGS=None, JSON_SORT_KEYS=False)
    if test_config:
        app.config.update(test_config)
    if app.config["SETTINGS"] is None:
        app.config["SETTINGS"] = Settings.from_env(os.environ.get("ARCHIVE_DATA_DIR"))
    app.json.sort_keys = False
    app.json.ensure_ascii = False

    from webapp import access, api, cite, errors, health, reader, search

    access.init_app(app)
    errors.init_app(app)
    for module in (search, reader, cite, api, health):
        app.register_blueprint(module.bp)
    app.add_url_rule("/favicon.ico", "favicon", lambda: app.send_static_file("favicon.svg"))
    app.after_request(_security_headers)
    return app


def _security_headers(response):
    """A Content-Security-Policy and friends on every response."""
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
