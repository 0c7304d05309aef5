"""Search benchmark: ``archive serve`` against an SQLite FTS5 baseline on the same sections, 1 and 8 clients.

Run ``python -m benchmarks search``. Uses the scale archive (built on first use from the scale corpus
and the five corpus documents by ``archive ingest``'s own function, its index segments as an ingest
leaves them), the fixed queries in ``queries.txt``, and /api/search with its defaults: ten documents
per page with snippets and facets. First, the reader page of the archive's longest document on a
one-worker server: its first view (the worker's first) and the views after.
"""
from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.common import CACHE, REPO, TreeMemory, corpus_files, scale_corpus, write_results
from benchmarks.httpload import free_port, python_command, run_load, start_server

SECONDS = 20
CLIENTS = (1, 8)
TARGET_P95_MS = 50
QUERIES = [line.strip() for line in (Path(__file__).with_name("queries.txt")).read_text().splitlines()
           if line.strip() and not line.startswith("#")]


def scale_archive() -> Path:
    """The archive of the scale corpus and the five documents, built once and kept in the cache."""
    from archive.config import Settings
    from indexer.index import ArchiveIndex, IndexUnavailable
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    settings = Settings(CACHE / "scale-archive", max_file_bytes=50 * 1024 * 1024)
    try:
        if (settings.data_dir / "archive.db").exists() and ArchiveIndex(settings.index_dir).count("document"):
            return settings.data_dir
    except IndexUnavailable:
        pass
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    # searched as 'archive ingest' leaves it (its segments unmerged), as a user would search it
    ingest([*scale_corpus(), *corpus_files()], settings, ParseOptions(max_bytes=settings.max_file_bytes))
    return settings.data_dir


def measure(command: list[str], port: int) -> dict:
    """Serve with ``command``, then run the query list at each client count."""
    server = start_server(command, port, REPO)
    try:
        figures = {}
        with TreeMemory(server.pid) as memory:
            for clients in CLIENTS:
                def path(client: int, n: int) -> str:
                    return "/api/search?" + urlencode({"q": QUERIES[(client * 37 + n) % len(QUERIES)]})
                run_load(port, path, clients, 3)  # warm-up, not counted
                figures[f"{clients}_clients"] = run_load(port, path, clients, SECONDS).figures()
        figures["server_peak_mb"], figures["server_peak_anon_mb"] = memory.peak_mb, memory.peak_anon_mb
        return figures
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure_servers(data_dir: Path) -> dict:
    """The longest document's reader page, then the query list against ``archive serve`` and the FTS5 baseline."""
    reader = largest_reader_page(data_dir)
    port = free_port()
    ours = measure(python_command("-m", "indexer.cli", "--data-dir", str(data_dir), "serve", "--port", str(port)),
                   port)
    port = free_port()
    baseline = measure(python_command("-m", "benchmarks.fts_baseline", str(data_dir), str(port)), port)
    return {"largest_reader_page": reader, "archive_serve": ours, "fts5_baseline": baseline}


def largest_document(data_dir: Path) -> str:
    """The id of the stored document with the most text."""
    from archive.store import Store

    store = Store(data_dir)
    try:
        return max(store.documents(), key=lambda d: sum(len(p) for s in d.sections for p in s.paragraphs)).id
    finally:
        store.close()


def largest_reader_page(data_dir: Path) -> dict:
    """The reader page of the longest document, served by one worker (its first view is that worker's first)."""
    port = free_port()
    server = start_server(python_command("-m", "indexer.cli", "--data-dir", str(data_dir), "serve",
                                         "--port", str(port), "--workers", "1"), port, REPO)
    try:
        return reader_views(port, largest_document(data_dir))
    finally:
        server.terminate()
        server.wait(timeout=30)


def reader_views(port: int, doc_id: str, views: int = 5) -> dict:
    """The reader page of one document at 1 client: its first view (a cold worker) and the views after."""
    times = []
    for _ in range(views):
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/documents/{doc_id}", timeout=60) as response:
            size = len(response.read())
        times.append(round((time.perf_counter() - started) * 1000, 1))
    return {"doc_id": doc_id, "bytes": size, "first_view_ms": times[0], "later_views_ms": times[1:]}


def main() -> dict:
    """Both servers over the same archive; writes results/search.json."""
    data_dir = scale_archive()
    served = measure_servers(data_dir)
    reader, ours, baseline = served["largest_reader_page"], served["archive_serve"], served["fts5_baseline"]
    p95 = ours["8_clients"]["p95_ms"]
    figures = {"queries": len(QUERIES), "seconds_per_run": SECONDS, "archive": _archive_size(data_dir),
               "largest_reader_page": reader,
               "archive_serve": ours, "fts5_baseline": baseline, "target_p95_ms": TARGET_P95_MS,
               "meets_p95_target": p95 < TARGET_P95_MS,
               "within_3x_of_baseline": p95 <= 3 * baseline["8_clients"]["p95_ms"]}
    path = write_results("search", figures)
    for name, rows in (("archive serve", ours), ("FTS5 baseline", baseline)):
        for clients in CLIENTS:
            row = rows[f"{clients}_clients"]
            print(f"{name:14} {clients} clients  {row['requests']:6} requests  {row['per_second']:7.1f}/s  "
                  f"p50 {row['p50_ms']:6.1f}  p95 {row['p95_ms']:6.1f}  p99 {row['p99_ms']:6.1f} ms  "
                  f"errors {row['errors']}")
    print(f"largest reader page ({reader['doc_id']}, {reader['bytes']} bytes): "
          f"first view {reader['first_view_ms']} ms, then {reader['later_views_ms']} ms")
    print(f"written to {path}")
    return figures


def _archive_size(data_dir: Path) -> dict:
    """How many documents and index entries the benchmark searched."""
    from indexer.index import ArchiveIndex

    index = ArchiveIndex(data_dir / "index")
    return {"documents": index.count("document"), "entries": index.count(),
            "segments": len(list((data_dir / "index").glob("*.seg")))}
