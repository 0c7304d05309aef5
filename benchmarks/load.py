"""Load benchmark: 32 clients mixing searches, reader pages, related documents and citations for 60 s against
``archive serve`` on loopback, while an ingest of new documents runs. Stops by itself.

Run ``python -m benchmarks load``. Uses a copy of the scale archive (see ``search.py``).
"""
from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.common import REPO, TreeMemory, write_results
from benchmarks.httpload import free_port, python_command, run_load, start_server
from benchmarks.search import QUERIES, scale_archive

CLIENTS = 32
SECONDS = 60
NEW_DOCUMENTS = 400
NEW_TEXT = '"harbour dues"'  # a phrase of every new document's text, and of none in the scale archive


def document_ids(port: int) -> list[str]:
    """Every document id the server lists."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/documents", timeout=60) as response:
        return [d["id"] for d in json.load(response)["documents"]]


def documents_found(port: int, query: str) -> int:
    """How many documents a search finds."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?" + urlencode({"q": query}), timeout=60) as response:
        return json.load(response)["total_documents"]


def mixed_paths(ids: list[str]):
    """In every 10 requests, in a fixed random order: 7 searches, 1 reader page, the related documents a
    reader page fetches as it is scrolled, and 1 citation (a download, the formatted styles, or an export).
    """
    def path(client: int, n: int) -> str:
        pick = random.Random(client * 100_003 + n)
        kind = pick.randrange(10)
        if kind < 7:
            return "/api/search?" + urlencode({"q": pick.choice(QUERIES)})
        doc_id = pick.choice(ids)
        if kind < 9:
            return f"/documents/{doc_id}" + ("/related" if kind == 8 else "")
        return pick.choice([f"/documents/{doc_id}/cite.bib", f"/documents/{doc_id}/cite.ris",
                            f"/documents/{doc_id}/citations",
                            "/export.json?" + urlencode({"q": pick.choice(QUERIES[:80])})])
    return path


def new_documents(folder: Path) -> Path:
    """Plain-text documents for the ingest that runs during the load."""
    folder.mkdir()
    for n in range(NEW_DOCUMENTS):
        body = "\n\n".join(f"Paragraph {p} of report {n} on harbour dues, tides and moorings." * 8 for p in range(12))
        (folder / f"report-{n:03}.txt").write_text(f"Harbour Report {n}\n\n{body}\n")
    return folder


def main() -> dict:
    """Serve a copy of the scale archive, ingest into it and load it at once; writes results/load.json."""
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "archive"
        shutil.copytree(scale_archive(), data_dir)
        port = free_port()
        server = start_server(python_command("-m", "indexer.cli", "--data-dir", str(data_dir), "serve",
                                             "--port", str(port), "--threads", "8"), port, REPO)
        try:
            ids = document_ids(port)
            ingest = subprocess.Popen(python_command("-m", "indexer.cli", "--data-dir", str(data_dir), "ingest",
                                                     str(new_documents(Path(tmp) / "new"))),
                                      cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            started, finished = time.monotonic(), []
            watcher = threading.Thread(target=lambda: (ingest.wait(), finished.append(time.monotonic() - started)))
            watcher.start()
            with TreeMemory(server.pid) as memory:
                load = run_load(port, mixed_paths(ids), CLIENTS, SECONDS).figures()
            watcher.join()
            ingest_seconds = round(finished[0], 1)
            after = len(document_ids(port))
            searchable = documents_found(port, NEW_TEXT)
            figures = {"clients": CLIENTS, "seconds": SECONDS, **load,
                       "server_peak_mb": memory.peak_mb, "server_peak_anon_mb": memory.peak_anon_mb,
                       "ingest": {"documents": NEW_DOCUMENTS, "exit_status": ingest.returncode,
                                  "finished_after_s": ingest_seconds, "documents_before": len(ids),
                                  "documents_after": after, "new_documents_found_by_search": searchable}}
        finally:
            server.terminate()
            server.wait(timeout=30)
    path = write_results("load", figures)
    print(f"{CLIENTS} clients for {SECONDS} s: {load['requests']} requests ({load['per_second']}/s), "
          f"p50 {load['p50_ms']} ms, p95 {load['p95_ms']} ms, p99 {load['p99_ms']} ms, errors {load['errors']}, "
          f"server peak {figures['server_peak_mb']} MB; ingest exit {ingest.returncode}, "
          f"{figures['ingest']['documents_before']} -> {after} documents, {searchable} found by {NEW_TEXT}")
    print(f"written to {path}")
    return figures
