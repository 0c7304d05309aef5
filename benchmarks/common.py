"""What the benchmarks share: the corpora, peak memory, percentiles and the results files."""
from __future__ import annotations

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


def scale_corpus() -> list[Path]:
    """The HTML pages of Debian's Python and PostgreSQL manuals, fetched with apt-get download once."""
    extracted = CACHE / "extracted"
    if not extracted.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["apt-get", "download", *SCALE_PACKAGES], cwd=CACHE, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for deb in sorted(CACHE.glob("*.deb")):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(extracted)], check=True)
    return sorted(p for p in extracted.rglob("*.html") if p.is_file())


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
    """Samples the resident memory of this process and all its descendants (worker pools included)."""

    def __init__(self, every: float = 0.2):
        self.every, self.peak_mb, self._stop = every, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.peak_mb = max(self.peak_mb, round(_tree_rss_kb(os.getpid()) / 1024, 1))


def _tree_rss_kb(root: int) -> int:
    """Resident memory of a process and its descendants, in KB, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
            parents[int(entry.name)] = int(fields.get("PPid", "0"))
            rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
    tree, frontier = {root}, [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier and pid not in tree]
        tree.update(children)
        frontier = children
    return sum(rss.get(pid, 0) for pid in tree)


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
