"""What the benchmarks share: the corpora, peak memory, percentiles and the results files."""
from __future__ import annotations

import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / "cache"
RESULTS = HERE / "results"
CORPUS = REPO.parent / "shared" / "corpus"
SCALE_PACKAGES = ("python3.11-doc", "postgresql-doc-15")
# about five times the scale corpus in pages (four in bytes): the kernel's manual and the Debian handbook
LARGE_PACKAGES = ("linux-doc-6.1", "debian-handbook")


def scale_corpus() -> list[Path]:
    """The HTML pages of Debian's Python and PostgreSQL manuals, fetched with apt-get download once."""
    return _html_of(SCALE_PACKAGES, CACHE / "extracted", CACHE)


def large_corpus() -> list[Path]:
    """The scale corpus with the HTML pages of Debian's kernel manual and handbook (every language): ~8,000 pages."""
    return scale_corpus() + _html_of(LARGE_PACKAGES, CACHE / "extracted-large", CACHE / "large-debs")


def _html_of(packages: tuple[str, ...], extracted: Path, debs: Path) -> list[Path]:
    """The HTML files of Debian packages, downloaded into ``debs`` and unpacked into ``extracted`` once."""
    if not extracted.exists():
        debs.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", *packages], cwd=debs, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for package in packages:
            for deb in sorted(debs.glob(f"{package}_*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(extracted)], check=True)
    return sorted(p for p in extracted.rglob("*.html") if p.is_file() and not p.is_symlink())


PDF_PACKAGES = ("gnuplot-doc", "asymptote-doc", "gnu-standards")


def pdf_corpus() -> list[Path]:
    """The PDF manuals of Debian's gnuplot, Asymptote and GNU standards packages, fetched once (gzipped ones unpacked)."""
    folder = CACHE / "pdf"
    if not folder.exists():
        (CACHE / "pdf-debs").mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", *PDF_PACKAGES], cwd=CACHE / "pdf-debs", check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for deb in sorted((CACHE / "pdf-debs").glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(folder)], check=True)
        for packed in folder.rglob("*.pdf.gz"):
            packed.with_suffix("").write_bytes(gzip.decompress(packed.read_bytes()))
    return sorted(p for p in folder.rglob("*.pdf") if p.is_file() and not p.is_symlink()
                  and p.stat().st_size > 10_000 and "examples" not in p.parts)


def pdf_pages(files: list[Path]) -> int:
    """How many pages the PDFs hold, as PDFium counts them."""
    import pypdfium2

    total = 0
    for path in files:
        document = pypdfium2.PdfDocument(path)
        total += len(document)
        document.close()
    return total


def dev_pdfs() -> list[Path]:
    """The PDF benchmark's dev PDFs (``python -m benchmarks pdf`` makes them in cache/pdf-dev/)."""
    return sorted((CACHE / "pdf-dev").glob("*.pdf"))


def corpus_files() -> list[Path]:
    """The five real documents of ../shared/corpus."""
    files = sorted(p for p in CORPUS.iterdir() if p.is_file())
    if not files:
        raise SystemExit(f"the shared corpus is missing: expected files in {CORPUS}")
    return files


def peak_rss_mb() -> float:
    """Peak resident memory of this process or its largest finished child, in MB (Linux reports KB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


class TreeMemory:
    """Samples the memory of a process and all its descendants (worker pools included), keeping the peak.

    Each process counts its proportional set size: a page shared by forked workers is split between
    them, not counted once per worker as resident sizes are. ``peak_anon_mb`` leaves out the pages of
    mapped files (the index's segments: page cache the kernel can drop and read again).
    """

    def __init__(self, root: int | None = None, every: float = 0.2):
        self.root, self.every, self._stop = root or os.getpid(), every, threading.Event()
        self.peak_mb = self.peak_anon_mb = 0.0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            samples = [_memory_kb(pid) for pid in _tree(self.root)]
            self.peak_mb = max(self.peak_mb, round(sum(total for total, _ in samples) / 1024, 1))
            self.peak_anon_mb = max(self.peak_anon_mb, round(sum(anon for _, anon in samples) / 1024, 1))


def _tree(root: int) -> set[int]:
    """A process and its descendants, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    tree, frontier = {root}, [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(frontier)
    return tree


def _memory_kb(pid: int) -> tuple[int, int]:
    """A process's proportional set size in KB, in all and without mapped files' pages ((0, 0) if it is gone)."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    sizes = {line.split(":")[0]: int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss")}
    return sizes.get("Pss", 0), sizes.get("Pss_Anon", 0) + sizes.get("Pss_Shmem", 0)


def folder_mb(path: Path) -> float:
    """Size of every file under a folder, in MB."""
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 2)


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted values fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def run_child(module: str, *args: str) -> dict:
    """Run one measurement in a fresh interpreter (its own peak memory) and return its JSON figures."""
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{module} {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def write_results(name: str, figures: dict) -> Path:
    """Write a benchmark's figures, with the machine they were measured on, to results/NAME.json."""
    RESULTS.mkdir(exist_ok=True)
    figures = {"benchmark": name, "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
               "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                           "platform": platform.platform()}, **figures}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
    return path
