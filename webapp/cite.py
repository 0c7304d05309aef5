"""Citation downloads (BibTeX, RIS, CSL-JSON) of a document, a place in it, or search results."""
from __future__ import annotations

import json

from flask import Blueprint, Response, request, url_for

from archive.citation import Scope, citation_key, csl_item, missing_fields
from archive.errors import DocumentNotFound
from archive.exports import DATA_FORMATS, EXTENSIONS, render_data
from archive.model import Document
from archive.styles import STYLE_NAMES, STYLES, format_item
from indexer.operations import query_documents
from indexer.search import QueryError
from webapp.access import get_index, get_searcher, get_store, get_variants

bp = Blueprint("cite", __name__)


def cited_scope(doc: Document, args) -> Scope:
    """The section or note a request names (``section``, ``note``), checked against the document."""
    section_id, note = args.get("section", ""), args.get("note", "")
    if section_id and doc.section(section_id) is None:
        raise QueryError(f"no section {section_id!r} in this document", "section")
    if note and (not note.isdigit() or doc.footnote(int(note)) is None):
        raise QueryError(f"no note {note[:20]!r} in this document", "note")
    return Scope(section_id, int(note) if note else None)


def item_for(doc: Document, scope: Scope = Scope()) -> dict:
    """The CSL-JSON item of a document or a place in it, linking the reader where the app is reached."""
    return csl_item(doc, scope, url_for("reader.document", doc_id=doc.id, _external=True))


def cite_panel(doc: Document, scope: Scope) -> dict:
    """What the Cite panel shows: each style as HTML, the downloads, the fields the source lacks."""
    item = item_for(doc, scope)
    params = {"section": scope.section_id or None, "note": scope.note}
    # citeproc takes about 50 ms a style: each item is formatted once while the index stays the same
    styles = get_index().per_generation(get_searcher(), ("styles", json.dumps(item, sort_keys=True)), lambda: [
        (STYLE_NAMES[s], format_item(item, s, as_html=True)) for s in STYLES])
    return {"styles": styles,
            "downloads": [(ext, url_for("cite.document", doc_id=doc.id, ext=ext, **params)) for ext in EXTENSIONS],
            "missing": missing_fields(item), "scope": scope, "section": doc.section(scope.section_id)}


def download(items: list[dict], ext: str, name: str) -> Response:
    """A data file with its content type and a file name."""
    data_format = EXTENSIONS[ext]
    response = Response(render_data(items, data_format), content_type=DATA_FORMATS[data_format][0])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@bp.get("/documents/<doc_id>/cite.<any(bib, ris, json):ext>")
def document(doc_id: str, ext: str):
    """A document's citation (``section`` or ``note`` for a place in it) as a data file."""
    doc = get_store().get(doc_id)
    if doc is None:
        raise DocumentNotFound(doc_id)
    scope = cited_scope(doc, request.args)
    return download([item_for(doc, scope)], ext, citation_key(doc) + (f"-{scope.anchor}" if scope.anchor else ""))


@bp.get("/export.<any(bib, ris, json):ext>")
def results(ext: str):
    """Every result of a query (``q``), or the documents picked by ``id``, as one data file."""
    store = get_store()
    if request.args.getlist("id"):
        docs = [store.get(i) for i in request.args.getlist("id")]
        if None in docs:
            raise DocumentNotFound(request.args.getlist("id")[docs.index(None)])
    else:
        docs = query_documents(store, get_index(), request.args.get("q", ""), get_variants(), get_searcher())
    return download([item_for(d) for d in docs], ext, "citations")
