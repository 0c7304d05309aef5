"""The search benchmark's baseline: SQLite FTS5 (bm25 + snippet) over the same sections, as a WSGI app.

``python -m benchmarks.fts_baseline DATA_DIR PORT`` builds ``fts.db`` beside the archive from its
store and serves ``/api/search?q=`` and ``/healthz`` on gunicorn, like ``archive serve``.
"""
from __future__ import annotations

import html
import json
import re
import sqlite3
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs

from webapp.server import default_workers, serve

from archive.model import strip_markers
from archive.store import Store

TOKEN = re.compile(r'(-)?(?:(\w+):)?("[^"]*"|\S+)')
COLUMNS = {"title": "title", "section": "section_title", "author": "authors", "footnote": "content"}
START, END = "\x02", "\x03"


def build(data_dir: Path) -> Path:
    """An FTS5 table with one row per section and per footnote of every stored document."""
    path = data_dir / "fts.db"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute("CREATE VIRTUAL TABLE entries USING fts5(doc_id UNINDEXED, section_id UNINDEXED, kind UNINDEXED, "
               "title, authors, section_title, content, tokenize='porter unicode61 remove_diacritics 2')")
    store = Store(data_dir)
    for doc in store.documents():
        shared = (doc.meta.title, " ; ".join(doc.meta.authors))
        rows = [(doc.id, s.id, "body", *shared, s.title, "\n\n".join(strip_markers(p) for p in s.paragraphs))
                for s in doc.sections]
        rows += [(doc.id, f"note-{n.number}", "footnote", *shared, "", n.text) for n in doc.footnotes]
        db.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    store.close()
    db.commit()
    db.close()
    return path


def fts_query(text: str) -> str:
    """Our query language in FTS5 syntax (fuzzy ``~`` becomes a plain word: FTS5 has none).

    >>> fts_query('title:json "event loop" pars* -lock tabl~ OR x')
    'title : "json" "event loop" "pars"* NOT "lock" "tabl" OR "x"'
    """
    parts = []
    for minus, field, value in TOKEN.findall(text):
        if value in ("OR", "NOT", "AND") and not field:
            parts.append(value)
            continue
        prefix = value.endswith("*")
        words = value.strip('"').rstrip("*~").replace('"', "")
        term = f'"{words}"' + ("*" if prefix else "")
        column = COLUMNS.get(field.lower())
        parts.append(("NOT " if minus else "") + (f"{column} : {term}" if column else term))
    return " ".join(parts)


def search(db: sqlite3.Connection, text: str) -> dict:
    """Top 10 entries by bm25 with a snippet escaped before marking, and the total."""
    query = fts_query(text)
    rows = db.execute(f"SELECT doc_id, section_id, kind, snippet(entries, 6, '{START}', '{END}', ' … ', 24) "
                      "FROM entries WHERE entries MATCH ? ORDER BY bm25(entries) LIMIT 10", (query,)).fetchall()
    total = db.execute("SELECT count(*) FROM entries WHERE entries MATCH ?", (query,)).fetchone()[0]
    hits = [{"doc_id": d, "section_id": s, "kind": k,
             "snippet": html.escape(snip, quote=False).replace(START, "<mark>").replace(END, "</mark>")}
            for d, s, k, snip in rows]
    return {"query": text, "total": total, "hits": hits}


def make_app(db_path: Path):
    """The WSGI app: one SQLite connection per server thread."""
    local = threading.local()

    def app(environ, start_response):
        if not hasattr(local, "db"):
            local.db = sqlite3.connect(db_path, check_same_thread=False)
        path = environ["PATH_INFO"]
        if path == "/healthz":
            status, body = "200 OK", {"ok": True}
        elif path == "/api/search":
            text = parse_qs(environ.get("QUERY_STRING", "")).get("q", [""])[0]
            try:
                status, body = "200 OK", search(local.db, text)
            except sqlite3.Error as err:
                status, body = "400 Bad Request", {"ok": False, "message": str(err)}
        else:
            status, body = "404 Not Found", {"ok": False}
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]

    return app


if __name__ == "__main__":
    data_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    db_path = build(data_dir)
    serve(lambda: make_app(db_path), "127.0.0.1", port, default_workers(), 2)  # the same server as archive serve
