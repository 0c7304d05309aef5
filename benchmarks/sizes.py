"""Two sizes of archive, measured the same way in one run: how cost grows with the archive.

Run ``python -m benchmarks sizes``. Builds the scale archive (about 1,700 pages) and the large one
(about 8,200: the scale corpus with Debian's kernel manual and handbook) afresh through
``archive ingest``'s own function, each in its own interpreter, then serves each with
``archive serve`` and the SQLite FTS5 baseline and runs the search benchmark's queries at 1 and 8
clients. Reports ingest MB/s, peak memory and index size, the first view of the longest document's
reader page, search p50/p95 and server memory at both sizes, and the large archive's figures as
multiples of the scale archive's.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks.common import run_child, write_results
from benchmarks.search import measure_servers

SIZES = ("scale-archive", "large-archive")


def measure_size(corpus: str, data_dir: Path) -> dict:
    """Ingest a corpus into ``data_dir`` (timed, in a child), then search it with both servers."""
    ingest = run_child("benchmarks.ingest", "pipeline", corpus, str(data_dir))
    return {"ingest": ingest, **measure_servers(data_dir)}


def growth(small: dict, large: dict) -> dict:
    """The large archive's figures as multiples of the small one's."""
    def ratio(path: tuple[str, ...]) -> float:
        a, b = small, large
        for key in path:
            a, b = a[key], b[key]
        return round(b / a, 2)

    return {"documents": ratio(("ingest", "documents")), "source_mb": ratio(("ingest", "source_mb")),
            "ingest_mb_per_s": ratio(("ingest", "mb_per_s")), "ingest_peak_mb": ratio(("ingest", "peak_mb")),
            "index_mb": ratio(("ingest", "index_mb")),
            "search_p50_1_client": ratio(("archive_serve", "1_clients", "p50_ms")),
            "search_p50_8_clients": ratio(("archive_serve", "8_clients", "p50_ms")),
            "search_p95_8_clients": ratio(("archive_serve", "8_clients", "p95_ms")),
            "server_peak_mb": ratio(("archive_serve", "server_peak_mb")),
            "server_peak_anon_mb": ratio(("archive_serve", "server_peak_anon_mb"))}


def main() -> dict:
    """Both sizes; writes results/sizes.json."""
    figures: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in SIZES:
            figures[corpus] = measure_size(corpus, Path(tmp) / corpus)
            shutil.rmtree(Path(tmp) / corpus, ignore_errors=True)
    figures["growth"] = growth(figures[SIZES[0]], figures[SIZES[1]])
    path = write_results("sizes", figures)
    for corpus in SIZES:
        row = figures[corpus]
        ingest, ours, fts = row["ingest"], row["archive_serve"], row["fts5_baseline"]
        print(f"{corpus:14} {ingest['documents']:5} docs {ingest['source_mb']:7.1f} MB  "
              f"ingest {ingest['mb_per_s']:5.2f} MB/s peak {ingest['peak_mb']:7.1f} MB  index {ingest['index_mb']:7.1f} MB  "
              f"search p50 {ours['1_clients']['p50_ms']:5.1f} ms (1), {ours['8_clients']['p50_ms']:5.1f} ms (8), "
              f"p95 {ours['8_clients']['p95_ms']:6.1f} ms (8; FTS5 {fts['8_clients']['p95_ms']:5.1f}), "
              f"server {ours['server_peak_mb']:6.1f} MB ({ours['server_peak_anon_mb']:6.1f} MB not mapped files), "
              "largest reader page first view "
              f"{row['largest_reader_page']['first_view_ms']} ms")
    print("large / scale:", ", ".join(f"{k} {v}x" for k, v in figures["growth"].items()))
    print(f"written to {path}")
    return figures
