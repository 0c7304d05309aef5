"""The archive for one request: the shared index, a searcher and a store connection per request."""
from __future__ import annotations

import ipaddress

from flask import Flask, current_app, g, request, url_for

from archive.config import Settings
from archive.errors import ArchiveError, DocumentNotFound
from archive.model import Document
from archive.store import Store
from indexer.index import ArchiveIndex
from indexer.operations import variants
from webapp.render import place_label


def settings() -> Settings:
    """The settings of the running app."""
    return current_app.config["SETTINGS"]


def link(endpoint: str, **values) -> str:
    """A link into the app for the API and meta tags: at ARCHIVE_BASE_URL when it is set, else a path
    (the request's Host header is never echoed, so a forged one cannot plant its address)."""
    return settings().base_url + url_for(endpoint, **values) if settings().base_url else url_for(endpoint, **values)


def public_url(endpoint: str, **values) -> str:
    """A URL that readers elsewhere can follow, for a citation: at ARCHIVE_BASE_URL when it is set, else
    at the address a non-loopback request came to; '' for a request from this machine."""
    if settings().base_url:
        return link(endpoint, **values)
    return "" if _loopback(request.remote_addr) else url_for(endpoint, **values, _external=True)


def _loopback(address: str | None) -> bool:
    """Whether a client address is this machine's own (or unknown).

    >>> _loopback("127.0.0.1"), _loopback("::1"), _loopback("203.0.113.5")
    (True, True, False)
    """
    try:
        return ipaddress.ip_address(address or "127.0.0.1").is_loopback
    except ValueError:
        return True


def get_index() -> ArchiveIndex:
    """The index, opened once per process and shared (Whoosh index objects are thread-safe)."""
    index = current_app.extensions.get("archive_index")
    if index is None:
        require_archive()
        index = ArchiveIndex(settings().index_dir)
        current_app.extensions["archive_index"] = index
    return index


def require_archive() -> None:
    """Raise a clear ArchiveError when no archive has been built at the data directory yet."""
    if not (settings().data_dir / "archive.db").exists():
        raise ArchiveError(f"no archive at {settings().data_dir} yet: add documents with 'archive ingest PATH'")


def get_searcher():
    """This request's searcher, taken on first use: the thread's own, refreshed if a commit came since."""
    if "searcher" not in g:
        g.searcher = get_index().thread_searcher()
    return g.searcher


def get_store() -> Store:
    """This request's store connection, opened on first use and closed on teardown."""
    if "store" not in g:
        require_archive()
        g.store = Store(settings().data_dir)
    return g.store


def get_document(doc_id: str) -> Document:
    """The stored document with this id, or DocumentNotFound (a 404)."""
    doc = get_store().get(doc_id)
    if doc is None:
        raise DocumentNotFound(doc_id)
    return doc


def get_variants() -> tuple[tuple[str, ...], ...]:
    """The archive's name-variant groups, read once per request."""
    if "variants" not in g:
        g.variants = variants(settings())
    return g.variants


def close_archive(exception=None) -> None:
    """Close whatever this request opened (the thread keeps its searcher for the next request)."""
    g.pop("searcher", None)
    store = g.pop("store", None)
    if store is not None:
        store.close()


def init_app(app: Flask) -> None:
    """Close the per-request searcher and store when the request ends; templates build links with ``link``."""
    app.teardown_appcontext(close_archive)
    app.jinja_env.globals["link"] = link
    app.jinja_env.globals["place_label"] = place_label
