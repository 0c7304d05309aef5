"""Citation downloads (BibTeX, RIS, CSL-JSON) of a document, a place in it, or search results."""
from __future__ import annotations

import json
from functools import lru_cache

from flask import Blueprint, Response, render_template, request, url_for

from archive.citation import Scope, citation_key, csl_item, missing_fields
from archive.errors import DocumentNotFound
from archive.exports import DATA_FORMATS, EXTENSIONS, render_data
from archive.model import Document
from archive.styles import OMITTED, STYLE_NAMES, STYLES, Formatted, format_item
from indexer.operations import query_documents
from indexer.search import QueryError
from webapp.access import get_document, get_index, get_searcher, get_store, get_variants, public_url

bp = Blueprint("cite", __name__)


def cited_scope(doc: Document, args) -> Scope:
    """The section or note a request names (``section``, ``note``), checked against the document."""
    section_id, note = args.get("section", ""), args.get("note", "")
    if section_id and doc.section(section_id) is None:
        raise QueryError(f"no section {section_id!r} in this document", "section")
    if note and (not note.isascii() or not note.isdigit() or doc.footnote(int(note)) is None):
        raise QueryError(f"no note {note[:20]!r} in this document", "note")
    return Scope(section_id, int(note) if note else None)


def item_for(doc: Document, scope: Scope = Scope()) -> dict:
    """The CSL-JSON item of a document or a place in it, linking the reader where others can reach it."""
    return csl_item(doc, scope, public_url("reader.document", doc_id=doc.id))


def cite_panel(doc: Document, scope: Scope) -> dict:
    """What the Cite panel shows at once: the downloads and the fields the source lacks.

    The formatted styles (citeproc takes about 15 ms a style) come from ``styles_url``, fetched when
    the panel is scrolled into view, so a reader page costs no more than a search.
    """
    item = item_for(doc, scope)
    params = {"section": scope.section_id or None, "note": scope.note}
    return {"styles_url": url_for("cite.styles", doc_id=doc.id, **params),
            "downloads": [(ext, url_for("cite.document", doc_id=doc.id, ext=ext, **params)) for ext in EXTENSIONS],
            "missing": missing_fields(item), "scope": scope, "section": doc.section(scope.section_id)}


def cite_styles(doc: Document, scope: Scope) -> list[tuple[str, Formatted]]:
    """Each style's name and formatting of the document or the place in it."""
    return _formatted(json.dumps(item_for(doc, scope), sort_keys=True))


@lru_cache(maxsize=4096)
def _formatted(item_json: str) -> list[tuple[str, Formatted]]:
    """An item in every style, kept by its content: a commit to the index does not change it."""
    item = json.loads(item_json)
    return [(STYLE_NAMES[s], format_item(item, s, as_html=True)) for s in STYLES]


def download(items: list[dict], ext: str, name: str) -> Response:
    """A data file with its content type and a file name."""
    data_format = EXTENSIONS[ext]
    response = Response(render_data(items, data_format), content_type=DATA_FORMATS[data_format][0])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{ext}"'
    return response


@bp.get("/documents/<doc_id>/cite.<any(bib, ris, json):ext>")
def document(doc_id: str, ext: str):
    """A document's citation (``section`` or ``note`` for a place in it) as a data file."""
    doc = get_document(doc_id)
    scope = cited_scope(doc, request.args)
    return download([item_for(doc, scope)], ext, citation_key(doc) + (f"-{scope.anchor}" if scope.anchor else ""))


@bp.get("/documents/<doc_id>/citations")
def styles(doc_id: str):
    """The document (or a place in it) formatted in each style: the Cite panel's text, also a page of its own."""
    doc = get_document(doc_id)
    scope = cited_scope(doc, request.args)
    return render_template("reader/citations.html", doc=doc, scope=scope, styles=cite_styles(doc, scope),
                           omitted=OMITTED)


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
