"""Ingest benchmark: the archive's whole pipeline against a plain single-writer Whoosh baseline.

Run ``python -m benchmarks ingest``. Each measurement runs in its own interpreter so its peak memory
is its own; the figures are each kind's median of ROUNDS runs. The baseline only indexes text
extracted beforehand (not timed); MB/s is of source bytes.
"""
from __future__ import annotations

import gc
import json
import sys
import warnings
import tempfile
import time
from pathlib import Path
from typing import Iterable

from benchmarks.common import (CACHE, TreeMemory, corpus_files, dev_pdfs, folder_mb, large_corpus, pdf_corpus,
                               pdf_pages, peak_rss_mb, run_child, scale_corpus, write_results)

TARGET_MB_PER_S = 2.0
ROUNDS = 3


def extracted_texts(name: str, files: list[Path]) -> Path:
    """The plain text of each file (BeautifulSoup's get_text for HTML), cached as JSON lines."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
    cache = CACHE / f"{name}-text.jsonl"
    if not cache.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with cache.open("w", encoding="utf-8") as out:
            for path in files:
                raw = path.read_text(encoding="utf-8", errors="replace")
                text = BeautifulSoup(raw, "lxml").get_text(" ") if path.suffix.startswith(".htm") else raw
                out.write(json.dumps({"path": str(path), "text": text}) + "\n")
    return cache


def measure_pipeline(files: list[Path], data_dir: Path) -> dict:
    """read, clean, split, store and index every file with ``archive ingest``'s own function."""
    from archive.config import Settings
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    settings = Settings(data_dir, max_file_bytes=50 * 1024 * 1024)
    started = time.perf_counter()
    report = ingest(files, settings, ParseOptions(max_bytes=settings.max_file_bytes))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "documents": len(report.added), "failed": len(report.failed),
            "index_mb": folder_mb(settings.index_dir), "store_mb": folder_mb(data_dir) - folder_mb(settings.index_dir)}


def measure_baseline(texts: Path, data_dir: Path) -> dict:
    """Index already-extracted text with a plain Whoosh schema and one single-process writer."""
    rows = [json.loads(line) for line in texts.open(encoding="utf-8")]
    return plain_whoosh(((row["path"], row["text"]) for row in rows), data_dir)


def measure_plain_pdf(files: list[Path], data_dir: Path) -> dict:
    """Read each PDF's text with pypdfium2 (page by page, in this one process) and index it with the
    baseline's plain Whoosh writer: what a plain PDF reader and Whoosh do, extraction included."""
    import pypdfium2

    def texts():
        for path in files:
            document = pypdfium2.PdfDocument(path)
            yield str(path), "\n".join(document[n].get_textpage().get_text_range() for n in range(len(document)))
            document.close()
    return plain_whoosh(texts(), data_dir)


def plain_whoosh(texts: Iterable[tuple[str, str]], data_dir: Path) -> dict:
    """Index (path, text) pairs, timed as they come (so whatever makes them is timed too), with a
    plain Whoosh schema and one single-process writer."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    gc.collect()
    schema = Schema(path=ID(stored=True, unique=True), content=TEXT(analyzer=StemmingAnalyzer(), stored=True))
    data_dir.mkdir(parents=True)
    started, documents = time.perf_counter(), 0
    writer = index.create_in(data_dir, schema).writer()
    for path, text in texts:
        writer.add_document(path=path, content=text)
        documents += 1
    writer.commit()
    return {"seconds": time.perf_counter() - started, "documents": documents, "failed": 0,
            "index_mb": folder_mb(data_dir)}


def files_of(corpus: str) -> list[Path]:
    """The files of a named corpus: the five documents, the HTML manuals, the PDF manuals, the PDF
    benchmark's dev PDFs, or an archive's files."""
    return {"corpus": corpus_files, "scale": scale_corpus, "pdf": pdf_corpus, "pdf-dev": dev_pdfs,
            "scale-archive": lambda: scale_corpus() + corpus_files(),
            "large-archive": lambda: large_corpus() + corpus_files()}[corpus]()


def child(kind: str, corpus: str, keep: str = "") -> None:
    """One measurement in this interpreter; prints its figures as one JSON line (``keep``: the archive's place)."""
    files = files_of(corpus)
    source_mb = sum(f.stat().st_size for f in files) / 1e6
    with tempfile.TemporaryDirectory() as tmp, TreeMemory() as memory:
        if kind == "pipeline":
            figures = measure_pipeline(files, Path(keep) if keep else Path(tmp) / "archive")
        elif kind == "plain-pdf":
            figures = measure_plain_pdf(files, Path(tmp) / "index")
        else:
            figures = measure_baseline(extracted_texts(corpus, files), Path(tmp) / "index")
    seconds = figures["seconds"]
    print(json.dumps({**figures, "seconds": round(seconds, 2), "source_mb": round(source_mb, 2),
                      "docs_per_s": round(figures["documents"] / seconds, 1),
                      "mb_per_s": round(source_mb / seconds, 2), "peak_mb": max(peak_rss_mb(), memory.peak_mb)}))


def median_runs(corpus: str) -> dict:
    """Pipeline and baseline run in turn ROUNDS times; each kind's median run, with every run's seconds.

    Taken in turn because this machine's speed drifts (by up to half over minutes): a lone pair of runs
    can favour either side.
    """
    runs: dict[str, list[dict]] = {"pipeline": [], "plain-pdf" if corpus == "pdf" else "baseline": []}
    for _ in range(ROUNDS):
        for kind in runs:
            runs[kind].append(run_child("benchmarks.ingest", kind, corpus))
    figures = {}
    for kind, rows in runs.items():
        rows.sort(key=lambda row: row["seconds"])
        figures[kind] = {**rows[len(rows) // 2], "runs_seconds": [row["seconds"] for row in rows]}
    return figures


def main() -> dict:
    """Both corpora through the pipeline and the baseline; writes results/ingest.json."""
    figures: dict = {"target_mb_per_s": TARGET_MB_PER_S, "rounds": ROUNDS}
    for corpus in ("corpus", "scale", "pdf"):
        if corpus != "pdf":
            extracted_texts(corpus, files_of(corpus))
        figures[corpus] = median_runs(corpus)
    pages = pdf_pages(files_of("pdf"))
    for row in figures["pdf"].values():
        row.update(pages=pages, files=len(files_of("pdf")), pages_per_s=round(pages / row["seconds"], 1))
    pdf = figures["pdf"]["pipeline"]
    scale = figures["scale"]
    figures["meets_target"] = scale["pipeline"]["mb_per_s"] >= TARGET_MB_PER_S
    figures["no_slower_than_baseline"] = scale["pipeline"]["seconds"] <= scale["baseline"]["seconds"]
    path = write_results("ingest", figures)
    for corpus in ("corpus", "scale", "pdf"):
        for kind, row in figures[corpus].items():
            print(f"{corpus:7} {kind:9} {row['documents']:5} docs  {row['seconds']:7.2f} s  "
                  f"{row['docs_per_s']:7.1f} docs/s  "
                  f"{row['mb_per_s']:6.2f} MB/s  index {row['index_mb']:7.2f} MB  peak {row['peak_mb']:7.1f} MB")
    print(f"pdf: {pdf['files']} files, {pdf['pages']} pages, {pdf['pages_per_s']} pages/s "
          f"(pypdfium2's plain text and Whoosh, one process: {figures['pdf']['plain-pdf']['pages_per_s']} pages/s)")
    print(f"written to {path}")
    return figures


if __name__ == "__main__":
    child(*sys.argv[1:4])
