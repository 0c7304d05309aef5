"""Fuzz benchmark: generated queries against ``archive serve``; every answer a 200 or a 400, none slow.

Run ``python -m benchmarks fuzz``. QUERIES queries (a fixed seed) put together from the query language's
pieces (words of the archive's own text, operators, fields, phrases, groups, ranges, wildcards, fuzzy
words, stray punctuation and random characters) go to ``/api/search`` of a real ``archive serve`` on
the five corpus documents, then on the scale archive, from CLIENTS keep-alive clients. Reported:
the status codes, server errors (any status but 200 and 400, or no answer), p50/p95/p99/p100 latency
and the slowest queries. Targets: 0 server errors, p100 under TARGET_P100_S.
"""
from __future__ import annotations

import http.client
import random
import re
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.common import REPO, corpus_files, percentile, write_results
from benchmarks.httpload import free_port, python_command, start_server
from benchmarks.search import scale_archive

QUERIES = 10_000
CLIENTS = 4
TARGET_P100_S = 3.0
SEED = 20
OPERATORS = ["OR", "AND", "NOT", "-", "+", "(", ")", '"', "“", "”", "«", "»", "^2", "~", "~2", "~99999", ":", "*",
             "?", "{1 TO 2}", "[a TO z]", "title:", "author:", "section:", "footnote:", "date:", "kind:", "nofield:"]
ODD_WORDS = ["Russo-Japanese", "TCP/IP", "C++", "3.14", "what?", "wom?n", "?*?*", "e-mail", "'quoted'", "¹",
             "Japan–Russia", "\x00", "%", "\\", "//", "…", "(((", ")))", "a" * 300]


def vocabulary(data_dir: Path, size: int = 2000) -> list[str]:
    """Words of the archive's own stored text (its first documents' sections), longest-lived first."""
    from archive.store import Store

    store, words = Store(data_dir), Counter()
    try:
        for n, doc in enumerate(store.documents()):
            for section in doc.sections[:20]:
                words.update(re.findall(r"[^\W\d_]{2,}", " ".join(section.paragraphs)))
            if n >= 200:
                break
    finally:
        store.close()
    return [w for w, _ in words.most_common(size)]


def generated(words: list[str], count: int, seed: int = SEED) -> list[str]:
    """``count`` queries of 1 to 12 pieces each, the same for the same words and seed."""
    rng = random.Random(seed)

    def piece() -> str:
        kind = rng.random()
        word = rng.choice(words) if rng.random() < 0.8 else rng.choice(ODD_WORDS)
        if kind < 0.45:
            return word
        if kind < 0.65:
            return rng.choice(OPERATORS)
        if kind < 0.75:
            return f"{rng.choice(['title', 'author', 'section', 'footnote'])}:{word}"
        if kind < 0.82:
            return '"' + " ".join(rng.choices(words, k=rng.randint(1, 5))) + '"'
        if kind < 0.88:
            return "(" + " OR ".join(rng.choices(words, k=rng.randint(1, 4))) + ")"
        if kind < 0.94:
            return word[: rng.randint(1, max(1, len(word)))] + rng.choice(["*", "?", "~", "~2", "*~"])
        return "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(rng.randint(1, 8)))

    return [" ".join(piece() for _ in range(rng.randint(1, 12))) for _ in range(count)]


def fire(port: int, queries: list[str], clients: int = CLIENTS) -> list[tuple[str, int, float]]:
    """Each query once, shared among the clients: (query, status or 0 for no answer, seconds)."""
    answers, lock, pending = [], threading.Lock(), list(reversed(queries))

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                if not pending:
                    break
                query = pending.pop()
            started = time.perf_counter()
            try:
                connection.request("GET", "/api/search?" + urlencode({"q": query}))
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            with lock:
                answers.append((query, status, time.perf_counter() - started))
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def figures_of(answers: list[tuple[str, int, float]]) -> dict:
    """Status counts, server errors, latency percentiles and the slowest queries."""
    seconds = [s for _, _, s in answers]
    errors = [(q, status) for q, status, _ in answers if status not in (200, 400)]
    slowest = sorted(answers, key=lambda a: -a[2])[:5]
    return {"queries": len(answers), "statuses": dict(Counter(str(s) for _, s, _ in answers)),
            "server_errors": len(errors), "first_errors": [f"{s} {q[:200]!r}" for q, s in errors[:5]],
            **{f"p{int(p * 100)}_ms": round(percentile(seconds, p) * 1000, 1) for p in (0.5, 0.95, 0.99)},
            "p100_ms": round(max(seconds) * 1000, 1),
            "slowest": [{"query": q[:200], "ms": round(s * 1000, 1), "status": st} for q, st, s in slowest]}


def run_on(data_dir: Path, count: int) -> dict:
    """The generated queries against ``archive serve`` on one archive."""
    queries = generated(vocabulary(data_dir), count)
    port = free_port()
    server = start_server(python_command("-m", "indexer.cli", "--data-dir", str(data_dir), "serve", "--port",
                                         str(port)), port, REPO)
    try:
        return figures_of(fire(port, queries))
    finally:
        server.terminate()
        server.wait(timeout=30)


def corpus_archive(folder: Path) -> Path:
    """An archive of the five corpus documents, built by ``archive ingest``'s own function."""
    from archive.config import Settings
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    settings = Settings(folder)
    ingest(corpus_files(), settings, ParseOptions(max_bytes=settings.max_file_bytes))
    return settings.data_dir


def main() -> dict:
    """Half the queries on the corpus archive, half on the scale archive; writes results/fuzz.json."""
    with tempfile.TemporaryDirectory() as tmp:
        archives = {"corpus": run_on(corpus_archive(Path(tmp) / "corpus"), QUERIES // 2),
                    "scale": run_on(scale_archive(), QUERIES - QUERIES // 2)}
    errors = sum(a["server_errors"] for a in archives.values())
    p100 = max(a["p100_ms"] for a in archives.values())
    figures = {"clients": CLIENTS, "seed": SEED, "target_p100_s": TARGET_P100_S, **archives,
               "server_errors": errors, "p100_ms": p100, "meets_targets": errors == 0 and p100 < TARGET_P100_S * 1000}
    for name, row in archives.items():
        print(f"{name:7} {row['queries']} queries  statuses {row['statuses']}  server errors {row['server_errors']}  "
              f"p50 {row['p50_ms']} p95 {row['p95_ms']} p99 {row['p99_ms']} p100 {row['p100_ms']} ms")
    print(f"written to {write_results('fuzz', figures)}")
    return figures
