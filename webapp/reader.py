"""The reader: the documents list and one document with its contents, notes and related documents."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from archive.citation import ZOTERO_TYPES, item_type
from archive.model import strip_markers
from indexer.search import MAX_QUERY_CHARS, highlight_terms, related_documents
from webapp.access import get_document, get_index, get_searcher, get_variants
from webapp.cite import cite_panel, cited_scope
from webapp.render import reader_view

bp = Blueprint("reader", __name__, url_prefix="/documents")


@bp.get("/")
def documents():
    """Every document, newest first."""
    facts = sorted(get_index().document_facts(get_searcher()).values(), key=lambda f: (f.date, f.title), reverse=True)
    return render_template("reader/documents.html", documents=facts, api_url=url_for("api.documents"))


@bp.get("/<doc_id>")
def document(doc_id: str):
    """One document; ``q`` highlights a query's words in it."""
    doc = get_document(doc_id)
    query = request.args.get("q", "")[:500]
    terms = highlight_terms(get_index(), get_searcher(), query, get_variants())
    return render_template("reader/document.html", doc=doc, view=reader_view(doc, terms), query=query,
                           max_chars=MAX_QUERY_CHARS, cite=cite_panel(doc, cited_scope(doc, request.args)),
                           item_type=item_type(doc.meta, doc.source.format), zotero_types=ZOTERO_TYPES,
                           api_url=url_for("api.document", doc_id=doc.id))


@bp.get("/<doc_id>/related")
def related(doc_id: str):
    """The documents most like one (fetched by its reader page when scrolled to, or a page of its own)."""
    doc = get_document(doc_id)
    found = get_index().per_generation(get_searcher(), ("related", doc.id), lambda: related_documents(
        get_index(), get_searcher(), doc.id, "\n".join(strip_markers(p) for s in doc.sections for p in s.paragraphs)))
    return render_template("reader/related.html", doc=doc, related=found)


@bp.app_template_filter("without_markers")
def without_markers(text: str) -> str:
    """A text without its note markers ``[^n]`` (for a meta tag's plain text)."""
    return strip_markers(text)


@bp.app_template_test("web_address")
def is_web_address(value: str) -> bool:
    """True for an http(s) URL: only those become links (never ``javascript:``)."""
    return value.lower().startswith(("http://", "https://"))
