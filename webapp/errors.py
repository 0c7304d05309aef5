"""One error shape: JSON ``{"ok": false, "status", "error", "message"}`` for the API, a page otherwise."""
from __future__ import annotations

import logging
import sqlite3

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from archive.errors import ArchiveError, DocumentNotFound, database_error
from indexer.index import IndexUnavailable
from indexer.search import QueryError

log = logging.getLogger(__name__)
TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 414: "URI too long", 500: "Server error",
          503: "Archive unavailable"}


def error_body(status: int, message: str, param: str | None = None) -> dict:
    """The one JSON error shape: ``{"ok": false, "status", "error", "message"}``, and ``param`` when one is named.

    >>> error_body(400, "page must be a whole number", "page")["error"]
    'Bad request'
    """
    body = {"ok": False, "status": status, "error": TITLES.get(status, "Error"), "message": message}
    return {**body, "param": param} if param else body


def error_response(status: int, message: str, param: str | None = None):
    """The JSON error body for API paths, the error page for everything else."""
    if request.path.startswith("/api/") or request.path == "/healthz":
        return jsonify(error_body(status, message, param)), status
    title = TITLES.get(status, "Error")
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app: Flask) -> None:
    """Turn every failure into the one error shape, never a traceback."""

    @app.errorhandler(QueryError)
    def bad_query(err: QueryError):
        return error_response(400, str(err), err.param)

    @app.errorhandler(DocumentNotFound)
    def unknown_document(err: DocumentNotFound):
        return error_response(404, str(err))

    @app.errorhandler(IndexUnavailable)
    def no_index(err: IndexUnavailable):
        return error_response(503, str(err))

    @app.errorhandler(ArchiveError)
    def archive_error(err: ArchiveError):
        return error_response(503, str(err))

    @app.errorhandler(sqlite3.DatabaseError)
    def damaged_store(err: sqlite3.DatabaseError):
        return error_response(503, str(database_error("archive.db", err)))

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        return error_response(err.code or 500, err.description or TITLES.get(err.code, "Error"))

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        log.exception("unexpected error on %s", request.path)
        return error_response(500, "something went wrong on our side; the error has been logged")
