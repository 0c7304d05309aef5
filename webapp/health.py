"""``/healthz`` for a process manager: the store and the index can be opened and searched."""
from __future__ import annotations

from flask import Blueprint, jsonify

from webapp.access import get_index, get_searcher

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 with the document count when the archive answers; 503 (the error shape) when it cannot."""
    return jsonify({"ok": True, "documents": len(get_index().document_facts(get_searcher()))})
