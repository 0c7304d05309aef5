"""The JSON API: the same result objects as the pages, rendered as JSON."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from webapp.access import get_document, get_index, get_searcher, link
from webapp.results import result_json, run_search

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search():
    """Search results: hits, facets, suggestion and variants, with the same parameters as the page."""
    return jsonify(result_json(run_search(request.args)))


@bp.get("/documents")
def documents():
    """Every document's id, title, authors, date and publisher, with links."""
    facts = get_index().document_facts(get_searcher()).values()
    return jsonify({"total": len(facts), "documents": [
        {"id": f.doc_id, "title": f.title, "authors": list(f.authors), "date": f.date, "publisher": f.publisher,
         "url": link("api.document", doc_id=f.doc_id), "reader_url": link("reader.document", doc_id=f.doc_id)}
        for f in sorted(facts, key=lambda f: f.doc_id)]})


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    """One document record: metadata, sections, notes (the same record as ``archive show --json``)."""
    doc = get_document(doc_id)
    return jsonify({**doc.to_dict(), "reader_url": link("reader.document", doc_id=doc.id)})
