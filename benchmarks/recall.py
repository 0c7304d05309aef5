"""Recall on long documents: known-item queries made from each document's own stored text.

Run ``python -m benchmarks recall``. The corpus and the devsets' books, manual pages and web pages are
ingested into one archive through ``archive ingest``'s own function; from each stored document come
up to five queries (``QUERY_KINDS``), each run through the same ``search`` function as
``/api/search``. Success = the document among the first 10. Beside it, in the same run, SQLite FTS5
(porter, unicode61) with the query's words ANDed, once over whole documents and once over passages
(sections and notes: a query matched only when one passage had all its words).
"""
from __future__ import annotations

import re
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import CORPUS, write_results
from benchmarks.quality import books, manual_pages, web_pages

TOP = 10
QUERY_KINDS = ("two_sections", "heading", "heading_question", "hyphenated", "sentence")
# a hyphenated word standing in prose: not part of an address, a path or a gendered "*innen" form
HYPHENATED = re.compile(r"(?<![\w./@*:-])[^\W\d_]{2,}(?:-[^\W\d_]{2,})+(?![\w/@*:-]|\.\w)")
SENTENCE = re.compile(r"(?<=[.!?])\s+")
MARKER = re.compile(r"\[\^\d+\]")


def sources(web_limit: int | None = None) -> dict[str, list[Path]]:
    """The files of each kind of document."""
    return {"corpus": sorted(CORPUS.glob("*.txt")), "books": [path for path, _ in books()],
            "manuals": [path for path, _ in manual_pages()], "web": [path for path, _ in web_pages(web_limit)]}


def texts(doc) -> list[str]:
    """Each section's text (heading and paragraphs, markers removed) of a stored document."""
    return [MARKER.sub("", "\n".join([s.title, *s.paragraphs])) for s in doc.sections]


def queries_for(doc, rarity) -> dict[str, str]:
    """The known-item queries a document's own text gives (a kind it cannot give is left out)."""
    made: dict[str, str] = {}
    sections = [t for t in texts(doc) if len(t.split()) >= 20]
    if len(sections) >= 2:
        first, last = sections[0], sections[-1]
        a, b = _rarest(first, last, rarity), _rarest(last, first, rarity)
        if a and b:
            made["two_sections"] = f"{a} {b}"
    headings = [s.title for s in doc.sections if len(s.title.split()) >= 2 and s.title != doc.meta.title]
    if headings:
        heading = headings[len(headings) // 2]
        made["heading"], made["heading_question"] = heading, heading.rstrip("?.!:") + "?"
    body = "\n".join(texts(doc))
    joined = sorted(set(HYPHENATED.findall(body)), key=lambda w: (rarity(w), w))
    if joined:
        made["hyphenated"] = joined[0]
    sentences = [s for t in texts(doc) for s in SENTENCE.split(t.replace("\n", " ")) if 8 <= len(s.split()) <= 40]
    if sentences:
        made["sentence"] = max(sentences, key=lambda s: (len(s.split()), s))
    return made


def _rarest(text: str, other: str, rarity) -> str:
    """The word of ``text`` (a whole word as the index reads it, letters only) that the fewest passages
    hold, and that ``other`` does not have.
    """
    from indexer.search import ANALYZER

    elsewhere = {t.text for t in ANALYZER(other)}
    words = {t.text: t.original for t in ANALYZER(text, keeporiginal=True)
             if t.text not in elsewhere and t.original.isalpha() and len(t.original) >= 4}
    return min(words.items(), key=lambda item: (rarity(item[1]), item[0]))[1] if words else ""


def archive_ranks(settings, made: list[tuple[str, str, str, str]]) -> list[int | None]:
    """Each query's rank (1 …) of its document in the archive's results, None past TOP."""
    from indexer.operations import readable
    from indexer.search import SearchRequest, search

    ranks = []
    with readable(settings) as (_, index), index.searcher() as searcher:
        for _, _, doc_id, query in made:
            found = [d.facts.doc_id for d in search(index, SearchRequest(query, per_page=TOP), searcher).documents]
            ranks.append(found.index(doc_id) + 1 if doc_id in found else None)
    return ranks


def fts_ranks(store, made: list[tuple[str, str, str, str]], per_passage: bool) -> list[int | None]:
    """Each query's rank of its document in plain FTS5 (words ANDed), over documents or over passages."""
    from archive.model import strip_markers

    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(doc_id UNINDEXED, title, body, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    for doc in store.documents():
        parts = [f"{s.title}\n" + "\n".join(strip_markers(p) for p in s.paragraphs) for s in doc.sections]
        parts += [n.text for n in doc.footnotes]
        title = f"{doc.meta.title} {' '.join(doc.meta.authors)}"
        rows = [(doc.id, title, part) for part in parts] if per_passage else [(doc.id, title, "\n".join(parts))]
        db.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
    ranks = []
    for _, _, doc_id, query in made:
        words = " ".join(f'"{w}"' for w in re.findall(r"\w+", query))
        rows = db.execute("SELECT doc_id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 500", (words,)).fetchall()
        found = list(dict.fromkeys(r[0] for r in rows))[:TOP]
        ranks.append(found.index(doc_id) + 1 if doc_id in found else None)
    return ranks


def summary(made: list[tuple[str, str, str, str]], ranks: list[int | None]) -> dict:
    """success@10 and MRR@10 per kind of document and kind of query."""
    table: dict[str, dict[str, dict]] = {}
    for (kind, query_kind, _, _), rank in zip(made, ranks):
        cell = table.setdefault(kind, {}).setdefault(query_kind, {"queries": 0, "found": 0, "rr": 0.0})
        cell["queries"] += 1
        cell["found"] += rank is not None
        cell["rr"] += 1 / rank if rank else 0.0
    return {kind: {qk: {"queries": c["queries"], "success_at_10": round(c["found"] / c["queries"], 4),
                        "mrr_at_10": round(c["rr"] / c["queries"], 4)} for qk, c in kinds.items()}
            for kind, kinds in table.items()}


def build(folder: Path, web_limit: int | None = None):
    """An archive of every kind of document, and its (kind, query kind, document id, query) rows."""
    from archive.config import Settings
    from archive.store import Store
    from indexer.operations import ingest, readable
    from indexer.options import ParseOptions

    settings = Settings(folder)
    kind_of = {}
    for kind, files in sources(web_limit).items():
        report = ingest(files, settings, ParseOptions(max_bytes=settings.max_file_bytes))
        kind_of.update({item["id"]: kind for item in report.added + report.unchanged})
    store = Store(settings.data_dir)
    made = []
    with readable(settings) as (_, index), index.searcher() as searcher:
        def rarity(word: str) -> int:
            from indexer.search import ANALYZER
            stems = [t.text for t in ANALYZER(word)]
            # a word of stop words only ("as-is") has no term in the index: it is no rare word
            return min((searcher.doc_frequency("content", s) for s in stems), default=sys.maxsize)
        for doc in store.documents():
            if doc.id in kind_of:
                made += [(kind_of[doc.id], qk, doc.id, q) for qk, q in queries_for(doc, rarity).items()]
    return settings, store, made


def main(web_limit: int | None = None) -> None:
    """The recall table for the archive and both FTS5 peers; writes results/recall.json."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        settings, store, made = build(Path(tmp) / "archive", web_limit)
        try:
            figures = {"queries": len(made), "build_seconds": round(time.perf_counter() - started, 1),
                       "archive": summary(made, archive_ranks(settings, made)),
                       "fts5_documents": summary(made, fts_ranks(store, made, per_passage=False)),
                       "fts5_passages": summary(made, fts_ranks(store, made, per_passage=True))}
        finally:
            store.close()
    print_beside(figures["archive"], figures["fts5_documents"])
    print(f"figures written to {write_results('recall', figures)}")


def print_beside(ours: dict, peer: dict) -> None:
    """Each kind's success@10 per kind of query: the archive's beside the peer's."""
    for kind, cells in ours.items():
        print(kind, {qk: (c["success_at_10"], peer[kind][qk]["success_at_10"]) for qk, c in cells.items()})
