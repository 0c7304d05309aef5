"""PDF benchmark: PDFs whose truth is known, read by the archive and by pypdfium2's and pdfminer's plain text.

Run ``python -m benchmarks pdf``. The PDFs are made here, once, into ``cache/pdf-dev/`` (never committed):
- HTML pages printed by Debian's chromium (through Playwright): manual pages of ``../shared/devsets/
  multilingual/`` in Japanese, Russian and English, and Debian Handbook pages in Arabic, Persian and
  Japanese. The page's visible text and its ``h1``–``h3`` headings are the truth.
- Short papers typeset from the English manual pages, each twice: with groff ``-ms`` and with
  pdfLaTeX (Debian's texlive-latex-base, installed here if missing): their sections as numbered
  headings, their paragraphs, and a footnote in each section made of one of the page's own
  sentences. The generated source is the truth, notes included.

Per file: text token F1 against the truth (words; each character in Japanese; the record's title
counts where the page prints it), the share of the headings found as sections, the share of the
notes linked, and pages/s of one reading, for the archive and, for text and speed, for the two
plain readers. Then every dev PDF is ingested in one batch through the parse pool, as ``archive
ingest`` does, for pages/s and MB/s on all cores.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
import warnings
from collections import Counter
from pathlib import Path

import logging
import os

from benchmarks.common import CACHE, REPO, _html_of, dev_pdfs, pdf_pages, run_child, write_results
from indexer.sections import NUMBERED_PREFIX

MULTILINGUAL = REPO.parent / "shared" / "devsets" / "multilingual"
DEV = CACHE / "pdf-dev"  # benchmarks.common.dev_pdfs lists it
PAGES_PER_LANGUAGE = 4
PAPERS = 8
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")
TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]|[^\W_]+")


def tokens(text: str) -> Counter:
    """The words of a text, lower-cased; each CJK character a token of its own (see ``comparable``)."""
    return Counter(TOKEN.findall(comparable(text).lower()))


def comparable(text: str) -> str:
    """NFKC text without combining marks and zero-width non-joiners: Arabic vowel marks and shadda are
    optional in writing, and Persian's non-joiner sits inside a word ("آینه‌های"), so neither parts a
    word, and a PDF's text layer often has neither (for every reader alike).

    >>> comparable("المُثبّت آینه\u200cهای") == "المثبت آینههای"
    True
    """
    text = unicodedata.normalize("NFKC", text).replace("\u200c", "")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def token_f1(found: str, truth: str) -> float:
    """Bag-of-words F1 of a text against the truth."""
    got, want = tokens(found), tokens(truth)
    common = sum((got & want).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(want.values())
    return round(2 * precision * recall / (precision + recall), 3)


def _soup(path: Path):
    """A page parsed by BeautifulSoup with lxml (an XHTML page too, without bs4's warning about it)."""
    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(path.read_bytes(), "lxml")


def html_truth(path: Path) -> dict:
    """An HTML page's visible text and its headings."""
    soup = _soup(path)
    for hidden in soup(["script", "style", "noscript", "head"]):
        hidden.decompose()
    headings = [" ".join(h.get_text(" ").split()) for h in soup.find_all(["h1", "h2", "h3"])]
    return {"text": soup.get_text(" "), "headings": [h for h in headings if h], "notes": []}


def printed_pages() -> list[tuple[str, Path, dict]]:
    """(name, PDF, truth) of the HTML pages printed by chromium, printing those not printed yet."""
    sources = [(f"{lang}-{p.parent.name}-{p.stem}", p) for lang in ("ja", "ru", "en")
               for p in _spread(sorted((MULTILINGUAL / lang).rglob("*.html")), PAGES_PER_LANGUAGE)]
    handbook = _html_of(("debian-handbook",), CACHE / "extracted-handbook", CACHE / "handbook-debs")
    for lang in ("ar-MA", "fa-IR", "ja-JP"):
        pages = [p for p in handbook if f"/{lang}/" in str(p) and 20_000 < p.stat().st_size < 80_000]
        sources += [(f"handbook-{lang}-{p.stem}", p) for p in _spread(pages, 2)]
    missing = [(DEV / f"{name}.pdf", path) for name, path in sources if not (DEV / f"{name}.pdf").exists()]
    if missing:
        _print_with_chromium(missing)
    return [(name, DEV / f"{name}.pdf", html_truth(path)) for name, path in sources]


def _spread(items: list, count: int) -> list:
    """``count`` items spread evenly over a list."""
    step = max(1, len(items) // count)
    return items[::step][:count]


def _print_with_chromium(jobs: list[tuple[Path, Path]]) -> None:
    """Print each HTML page to its PDF with Debian's chromium."""
    from playwright.sync_api import sync_playwright

    DEV.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium")
        page = browser.new_page()
        for pdf, html in jobs:
            page.goto(html.resolve().as_uri())
            page.pdf(path=str(pdf), format="A4")
        browser.close()


def papers() -> list[tuple[str, Path, dict]]:
    """(name, PDF, truth) of the papers typeset with groff ``-ms`` and with LaTeX, making those not made yet."""
    _install("groff", lambda: shutil.which("groff") and not subprocess.run(["groff", "-Tpdf"], input=b"",
                                                                             capture_output=True).returncode)
    _install("texlive-latex-base", lambda: shutil.which("pdflatex"))
    made = []
    for source in _spread(sorted((MULTILINGUAL / "en").rglob("*.html")), PAPERS):
        title, sections = paper_sections(source)
        truth = paper_truth(title, sections)
        for typesetter, typeset in (("groff", groff_pdf), ("latex", latex_pdf)):
            pdf = DEV / f"{typesetter}-{source.parent.name}-{source.stem}.pdf"
            if not pdf.exists():
                DEV.mkdir(parents=True, exist_ok=True)
                pdf.write_bytes(typeset(title, sections))
            made.append((pdf.stem, pdf, truth))
    return made


def _install(package: str, present) -> None:
    """A Debian package, installed with apt-get if ``present()`` says it is missing."""
    if not present():
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package], check=True,
                       capture_output=True)


def paper_sections(page: Path) -> tuple[str, list[tuple[tuple[int, str], list[str]]]]:
    """A page's title and up to eight sections ((level, heading), paragraphs), each with a paragraph
    long enough to carry a note."""
    soup = _soup(page)
    title = " ".join((soup.find("h1") or soup.find("title")).get_text(" ").split())
    sections, heading = [], None
    for tag in soup.find_all(["h2", "h3", "p"]):
        text = " ".join(tag.get_text(" ").split())
        if tag.name in ("h2", "h3"):
            text = NUMBERED_PREFIX.sub("", text)  # the typesetters number the headings themselves
            heading = (2 if tag.name == "h3" and sections else 1, text)
            sections.append((heading, []))
        elif heading and len(text) > 60 and len(sections[-1][1]) < 3:
            sections[-1][1].append(text)
    return _typesettable(title), [((level, _typesettable(h)), [_typesettable(p) for p in paragraphs])
                                  for (level, h), paragraphs in sections if paragraphs][:8]


def _typesettable(text: str) -> str:
    """Text both typesetters print as written: accents and typographic quotes kept, other signs
    outside Latin-1 (arrows, symbols) taken apart into what they are made of, or dropped."""
    kept = "".join(c if ord(c) < 256 or c in "‘’“”–—" else unicodedata.normalize("NFKD", c) for c in text)
    return "".join(c for c in kept if ord(c) < 256 or c in "‘’“”–—")


def paper_truth(title: str, sections: list) -> dict:
    """A paper's truth: its text (title, headings, paragraphs, notes), headings and notes."""
    text, notes = [title], []
    for (_, heading), paragraphs in sections:
        notes.append(_a_sentence(paragraphs[-1]))
        text += [heading, *paragraphs, notes[-1]]
    return {"text": "\n".join(text), "headings": [h for (_, h), _ in sections], "notes": notes}


def groff_pdf(title: str, sections: list) -> bytes:
    """The paper typeset with groff ``-ms``: numbered headings (``.NH``), a footnote (``.FS``) a section."""
    lines = [".TL", _roff(title), ".LP", ""]
    for (level, heading), paragraphs in sections:
        lines += [f".NH {level}", _roff(heading), ".PP", _roff(paragraphs[0]) + r"\**",
                  ".FS", _roff(_a_sentence(paragraphs[-1])), ".FE"]
        for paragraph in paragraphs[1:]:
            lines += [".PP", _roff(paragraph)]
    return subprocess.run(["groff", "-Kutf8", "-ms", "-Tpdf"], input=("\n".join(lines) + "\n").encode("utf-8"),
                          check=True, capture_output=True).stdout


def latex_pdf(title: str, sections: list) -> bytes:
    """The paper typeset with pdfLaTeX's article class: numbered sections, a ``\\footnote`` a section, no
    outline (no hyperref), so headings are known by their type alone."""
    lines = [r"\documentclass{article}", r"\usepackage[T1]{fontenc}" if _has_t1_fonts() else "",
             rf"\title{{{_tex(title)}}}", r"\date{}", r"\begin{document}", r"\maketitle"]
    for (level, heading), paragraphs in sections:
        command = "section" if level == 1 else "subsection"
        lines += [rf"\{command}{{{_tex(heading)}}}",
                  _tex(paragraphs[0]) + rf"\footnote{{{_tex(_a_sentence(paragraphs[-1]))}}}", ""]
        lines += [_tex(paragraph) + "\n" for paragraph in paragraphs[1:]]
    lines.append(r"\end{document}")
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "paper.tex").write_text("\n".join(lines) + "\n", encoding="utf-8")
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"], cwd=folder,
                       check=True, capture_output=True)
        return (Path(folder) / "paper.pdf").read_bytes()


def _has_t1_fonts() -> bool:
    """Whether T1-encoded Type 1 fonts (cm-super) are installed; without them T1 text is bitmaps."""
    return bool(shutil.which("kpsewhich")) and bool(subprocess.run(["kpsewhich", "sfrm1000.pfb"],
                                                                    capture_output=True, text=True).stdout.strip())


TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "#": r"\#", "$": r"\$", "%": r"\%",
               "&": r"\&", "_": r"\_", "^": r"\^{}", "~": r"\~{}", "<": r"\textless{}", ">": r"\textgreater{}",
               "|": r"\textbar{}"}


def _tex(text: str) -> str:
    """Text safe in LaTeX: its special characters escaped."""
    return "".join(TEX_SPECIAL.get(c, c) for c in text)


def _a_sentence(paragraph: str) -> str:
    """The paragraph's first sentence, to be a note's text."""
    return re.split(r"(?<=[.!?])\s", paragraph, maxsplit=1)[0]


def _roff(text: str) -> str:
    """Text safe as a roff line: backslashes escaped, a leading dot or quote guarded."""
    text = text.replace("\\", r"\e")
    return "\\&" + text if text[:1] in ".'" else text


def archive_reading(pdf: Path) -> tuple[dict, float]:
    """What the archive makes of a PDF (its title; its text with its parts, section titles, linked notes)
    and the seconds it took."""
    from indexer.options import ParseOptions
    from indexer.pipeline import parse_file

    started = time.perf_counter()
    doc = parse_file(pdf, ParseOptions(max_bytes=50 * 1024 * 1024))
    seconds = time.perf_counter() - started
    text = "\n".join([doc.meta.subtitle, *(piece for s in doc.sections for piece in (s.title, *s.paragraphs)),
                      *(n.text for n in doc.footnotes), *(t for texts in doc.parts.values() for t in texts)])
    return {"title": doc.meta.title, "text": re.sub(r"\[\^\d+\]", " ", text), "titles": [s.title for s in doc.sections if s.title],
            "notes": [n.text for n in doc.footnotes if n.cited]}, seconds


def plain_readers(pdf: Path) -> dict[str, tuple[str, float]]:
    """pypdfium2's and pdfminer's plain text of a PDF, each with its seconds."""
    import pypdfium2
    from pdfminer.high_level import extract_text

    started = time.perf_counter()
    document = pypdfium2.PdfDocument(pdf)
    pdfium_text = "\n".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    pdfium_seconds = time.perf_counter() - started
    started = time.perf_counter()
    pdfminer_text = extract_text(str(pdf))
    return {"pypdfium2": (pdfium_text, pdfium_seconds), "pdfminer": (pdfminer_text, time.perf_counter() - started)}


def score(name: str, pdf: Path, truth: dict) -> dict:
    """One file's figures for the archive and the plain readers."""
    read, seconds = archive_reading(pdf)
    pages = pdf_pages([pdf])
    titles = {heading_key(t) for t in [*read["titles"], read["title"]]}  # a page's <h1> is its document's title
    headings = [h for h in truth["headings"] if heading_key(h)]
    found = sum(heading_key(h) in titles for h in headings)
    linked = sum(any(_opening(note) in _opening(got, 40) for got in read["notes"]) for note in truth["notes"])
    plain = plain_readers(pdf)
    # the title counts as text where the page prints it: a printed page's <title> is the PDF's metadata alone
    printed = heading_key(read["title"]) in heading_key(plain["pypdfium2"][0])
    text = f"{read['title']}\n{read['text']}" if printed else read["text"]
    row = {"file": name, "pages": pages, "archive_f1": token_f1(text, truth["text"]),
           "headings": len(headings), "headings_found": round(found / len(headings), 3) if headings else None,
           "notes": len(truth["notes"]), "notes_linked": round(linked / len(truth["notes"]), 3) if truth["notes"] else None,
           "archive_pages_per_s": round(pages / seconds, 1)}
    for reader, (plain_text, spent) in plain.items():
        row[f"{reader}_f1"], row[f"{reader}_pages_per_s"] = token_f1(plain_text, truth["text"]), round(pages / spent, 1)
    return row


def heading_key(text: str) -> str:
    """A heading compared without its number, case or punctuation, in any script."""
    return " ".join(TOKEN.findall(NUMBERED_PREFIX.sub("", comparable(text).strip()).lower()))


def _opening(text: str, words: int = 6) -> str:
    """A text's first words, lower-cased, for matching a note."""
    return " ".join(TOKEN.findall(text.lower())[:words])


def pool_figures() -> dict:
    """Every dev PDF ingested in one batch by ``archive ingest``'s own function, in a fresh interpreter:
    the parse pool on every core, storing and indexing included."""
    pdfs = dev_pdfs()
    run = run_child("benchmarks.ingest", "pipeline", "pdf-dev")
    pages = pdf_pages(pdfs)
    return {"files": len(pdfs), "pages": pages, "mb": round(sum(p.stat().st_size for p in pdfs) / 1e6, 2),
            "seconds": run["seconds"], "pages_per_s": round(pages / run["seconds"], 1), "mb_per_s": run["mb_per_s"],
            "workers": os.cpu_count()}


def main() -> dict:
    """Every dev PDF scored; writes results/pdf.json and prints a table."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its complaints about the fonts chromium embeds
    made = printed_pages() + papers()
    archive_reading(made[0][1])  # a first reading loads the parsers and the language model: not the file's time
    rows = [score(name, pdf, truth) for name, pdf, truth in made]
    mean = {key: round(sum(r[key] for r in rows if r[key] is not None) / max(1, sum(r[key] is not None for r in rows)), 3)
            for key in rows[0] if key != "file"}
    worse = [r["file"] for r in rows if r["archive_f1"] < max(r["pypdfium2_f1"], r["pdfminer_f1"])]
    pool = pool_figures()
    figures = {"files": rows, "mean": mean, "pool": pool, "below_the_better_plain_reader": worse,
               "targets": {"f1": "at least the better plain reader on every file", "headings_found": 0.9,
                           "notes_linked": 0.95, "pages_per_s": 150}}
    path = write_results("pdf", figures)
    print(f"{'file':44} {'pages':>5} {'F1':>6} {'pdfium':>6} {'miner':>6} {'heads':>6} {'notes':>6} {'pages/s':>8}")
    for r in rows + [{"file": "mean", **mean}]:
        print(f"{r['file'][:44]:44} {r['pages']:5} {r['archive_f1']:6.3f} {r['pypdfium2_f1']:6.3f} {r['pdfminer_f1']:6.3f} "
              f"{_share(r['headings_found']):>6} {_share(r['notes_linked']):>6} {r['archive_pages_per_s']:8.1f}")
    print(f"below the better plain reader: {', '.join(worse) or 'none'}")
    print(f"through the parse pool ({pool['workers']} workers): {pool['files']} files, {pool['pages']} pages in "
          f"{pool['seconds']} s: {pool['pages_per_s']} pages/s, {pool['mb_per_s']} MB/s")
    print(f"written to {path}")
    return figures


def _share(value) -> str:
    """A share for the table ('-' for none)."""
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    main()
