"""Ranking quality on the Cranfield and CISI test collections: the archive's search against plain BM25.

Run ``python -m benchmarks ranking``. Each collection's documents are ingested through ``archive
ingest``'s own function (each a ``.txt``: its title line, a blank line, its text); every query goes
through the same ``search`` function as ``/api/search`` twice, documents ranked as the page ranks
them: its words joined with OR (``or``), and the question as a user pastes it (``pasted``). Beside it, in the same run: a plain Whoosh BM25F index of the whole texts,
and the collection's ``bm25_reference.json`` (bm25s). Measures by pytrec_eval (trec_eval's code).
"""
from __future__ import annotations

import json
import re
import tempfile
import time
from pathlib import Path

from benchmarks.common import write_results
from benchmarks.quality import DEVSETS

COLLECTIONS = ("cranfield", "cisi")
MEASURES = {"ndcg_cut_10", "map", "P_10"}
DEPTH = 100  # documents ranked per query (the API's largest page)


def load(name: str) -> tuple[list[dict], list[dict], dict[str, dict[str, int]]]:
    """A collection's documents, queries and relevance judgements."""
    folder = DEVSETS / "ir" / name
    docs = [json.loads(line) for line in (folder / "docs.jsonl").read_text(encoding="utf-8").splitlines() if line]
    queries = [json.loads(line) for line in (folder / "queries.jsonl").read_text(encoding="utf-8").splitlines() if line]
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines():
        query, doc, relevance = line.split()[:3]
        qrels.setdefault(query, {})[doc] = int(relevance)
    return docs, queries, qrels


def or_query(text: str) -> str:
    """A query's words joined with OR (no query syntax of their own).

    >>> or_query("What is a 'wing'? (NOT the tail)")
    'What OR is OR a OR wing OR NOT OR the OR tail'
    """
    return " OR ".join(re.findall(r"\w+", text))


def evaluate(qrels: dict, run: dict[str, dict[str, float]]) -> dict:
    """Mean nDCG@10, MAP and P@10 over every judged query (a query with no results counts 0)."""
    import pytrec_eval

    judged = {q: r for q, r in qrels.items() if any(v > 0 for v in r.values())}
    per_query = pytrec_eval.RelevanceEvaluator(judged, MEASURES).evaluate({q: run.get(q, {}) for q in judged})
    return {m: round(sum(per_query.get(q, {}).get(m, 0.0) for q in judged) / len(judged), 4) for m in sorted(MEASURES)} \
        | {"queries": len(judged)}


MODES = ("or", "pasted")


def archive_runs(docs: list[dict], queries: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """Each query's ranked documents from the archive in each mode: ingest, then the web API's search function."""
    from archive.config import Settings
    from indexer.operations import ingest, readable
    from indexer.options import ParseOptions
    from indexer.search import SearchRequest, search

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        for doc in docs:
            (folder / f"{doc['id']}.txt").write_text(f"{doc['title']}\n\n{doc['text']}\n", encoding="utf-8")
        settings = Settings(Path(tmp) / "archive")
        report = ingest([folder], settings, ParseOptions())
        ids = {item["id"]: Path(item["path"]).stem for item in report.added}
        runs: dict[str, dict[str, dict[str, float]]] = {mode: {} for mode in MODES}
        with readable(settings) as (_, index), index.searcher() as searcher:
            for query, mode in ((q, m) for q in queries for m in MODES):
                text = or_query(query["text"]) if mode == "or" else query["text"]
                result = search(index, SearchRequest(text, per_page=DEPTH, passages=1), searcher)
                runs[mode][query["id"]] = {ids[d.facts.doc_id]: float(DEPTH - rank)
                                           for rank, d in enumerate(result.documents)}
    return runs


def whoosh_run(docs: list[dict], queries: list[dict]) -> dict[str, dict[str, float]]:
    """Each query's ranked documents from a plain Whoosh index of the whole texts (BM25F, its defaults)."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import OrGroup, QueryParser

    with tempfile.TemporaryDirectory() as tmp:
        ix = index.create_in(tmp, Schema(id=ID(stored=True), content=TEXT(analyzer=StemmingAnalyzer())))
        with ix.writer() as writer:
            for doc in docs:
                writer.add_document(id=doc["id"], content=f"{doc['title']}\n\n{doc['text']}")
        parser = QueryParser("content", ix.schema, group=OrGroup)
        with ix.searcher() as searcher:
            return {q["id"]: {hit["id"]: hit.score for hit in searcher.search(parser.parse(or_query(q["text"])), limit=DEPTH)}
                    for q in queries}


def main() -> None:
    """Both collections through the archive and the plain index; writes results/ranking.json."""
    figures = {}
    for name in COLLECTIONS:
        docs, queries, qrels = load(name)
        started = time.perf_counter()
        runs = archive_runs(docs, queries)
        seconds = round(time.perf_counter() - started, 1)
        reference = json.loads((DEVSETS / "ir" / name / "bm25_reference.json").read_text(encoding="utf-8"))
        figures[name] = {**{f"archive_{mode}": evaluate(qrels, run) for mode, run in runs.items()},
                         "archive_seconds": seconds, "whoosh_bm25f": evaluate(qrels, whoosh_run(docs, queries)),
                         "bm25s_reference": reference.get("k1=1.2,b=0.75", {})}
        print(name, json.dumps(figures[name]))
    print(f"figures written to {write_results('ranking', figures)}")
