"""``python -m benchmarks [ingest] [search] [load] [sizes] [quality] [ranking] [recall] [languages] [fuzz] [pdf]
[citations [--make]]``: run the benchmarks (all by default), figures to results/."""
from __future__ import annotations

import sys

from benchmarks import citations, fuzz, ingest, languages, load, pdf, quality, ranking, recall, search, sizes


def main(argv: list[str]) -> None:
    """Run the named benchmarks in order (``--make``: the citations benchmark renders its fixture anew)."""
    names, flags = [a for a in argv if not a.startswith("--")], [a for a in argv if a.startswith("--")]
    available = {"ingest": ingest.main, "search": search.main, "load": load.main, "sizes": sizes.main,
                 "quality": quality.main, "ranking": ranking.main, "recall": recall.main, "languages": languages.main,
                 "fuzz": fuzz.main, "pdf": pdf.main, "citations": lambda: citations.main(flags)}
    for name in names or list(available):
        if name not in available:
            raise SystemExit(f"unknown benchmark {name!r}: choose from {', '.join(available)}")
        print(f"== {name}")
        available[name]()


main(sys.argv[1:])
