"""Extraction quality on ../shared/devsets: the archive's own ingest against readability-lxml and trafilatura.

Run ``python -m benchmarks quality``. Every devset file goes through ``archive ingest``'s own function
into a temporary archive; the stored records are then scored against the labels. The peers (installed
with the ``bench`` extra) run on the same web pages in the same run.
"""
from __future__ import annotations

import json
import re
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import REPO, write_results
from benchmarks.titles import stated_titles, title_key, title_label

DEVSETS = REPO.parent / "shared" / "devsets"
NAME_SEPARATORS = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\bi\b)\s*", re.I)


@dataclass
class Snippets:
    """Counts of ``with`` snippets found (hits) or missed, and ``without`` snippets found or not."""

    hits: int = 0
    misses: int = 0
    false_positives: int = 0
    true_negatives: int = 0

    def add(self, text: str, label: dict) -> None:
        """Score one page's kept text against its labels."""
        text = squash(text)
        for snippet in label.get("with") or []:
            if squash(snippet) in text:
                self.hits += 1
            else:
                self.misses += 1
        for snippet in label.get("without") or []:
            if squash(snippet) in text:
                self.false_positives += 1
            else:
                self.true_negatives += 1

    def figures(self) -> dict:
        """Precision, recall and F1 over every snippet."""
        precision = self.hits / max(1, self.hits + self.false_positives)
        recall = self.hits / max(1, self.hits + self.misses)
        f1 = 2 * precision * recall / max(1e-9, precision + recall)
        return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def squash(text: str) -> str:
    """Text with its white space folded to single spaces and NFC-normalised, for snippet matching."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_set(names: list[str] | str | None) -> frozenset[str]:
    """Author names compared without case, punctuation or the way a list of them is joined.

    >>> name_set("Benjamin Fischer und Marcus Theurer") == name_set(["benjamin fischer", "Marcus Theurer."])
    True
    """
    if isinstance(names, str):
        names = NAME_SEPARATORS.split(names)
    folded = (" ".join(re.sub(r"[^\w\s'-]", " ", n).casefold().split()) for n in names or [])
    return frozenset(n for n in folded if n)


def kept_text(record: dict) -> str:
    """What a record keeps as the document's text: section titles, paragraphs and notes, markers removed."""
    pieces = []
    for section in record["sections"]:
        pieces += [section["title"], *section["paragraphs"]]
    pieces += [note["text"] for note in record["footnotes"]]
    return re.sub(r"\[\^\d+\]", "", "\n".join(pieces))


def ingest_records(files: list[Path]) -> dict[Path, dict]:
    """Each file's stored record after ``archive ingest``'s own function, in a temporary archive."""
    from archive.config import Settings
    from archive.store import Store
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(Path(tmp))
        report = ingest(files, settings, ParseOptions(max_bytes=settings.max_file_bytes))
        store = Store(settings.data_dir)
        try:
            ids = {Path(item["path"]): item["id"] for item in report.added + report.unchanged}
            return {path: store.get(doc_id).to_dict() for path, doc_id in ids.items()}
        finally:
            store.close()


def web_pages(limit: int | None = None) -> list[tuple[Path, dict]]:
    """The labelled web pages (file, label), in a fixed order; the first ``limit`` of them if given."""
    labels = json.loads((DEVSETS / "web" / "evaldata.json").read_text(encoding="utf-8"))
    pages = sorted(((DEVSETS / "web" / "html" / label["file"], label) for label in labels.values()),
                   key=lambda pair: pair[0].name)
    return pages[:limit]


def score_web(records: dict[Path, dict], pages: list[tuple[Path, dict]], titles: dict[Path, str]) -> dict:
    """The archive's snippet precision, recall and F1, and how often the stated author and the title are right."""
    snippets, authors = Snippets(), []
    for path, label in pages:
        record = records.get(path)
        snippets.add(kept_text(record) if record else "", label)
        if label.get("author"):
            authors.append(bool(record) and name_set(record["authors"]) == name_set(label["author"]))
    return {**snippets.figures(), "pages": len(pages), "failed": len(pages) - len(records),
            "author_right": round(sum(authors) / max(1, len(authors)), 3), "pages_with_author": len(authors),
            **title_figures({path: (records.get(path) or {}).get("title", "") for path in titles}, titles)}


def web_titles(pages: list[tuple[Path, dict]]) -> tuple[dict[Path, str], dict[Path, str]]:
    """Each labelled page's title label (``benchmarks.titles``), and its <title> with the site's name cut."""
    from lxml import html as lxml_html

    from indexer.htmlmeta import cut_site_name
    from indexer.read import read_source

    labels, cut = {}, {}
    for path, _ in pages:
        try:
            text = read_source(path, 50 * 1024 * 1024).text  # decoded as an ingest decodes it
            root = lxml_html.document_fromstring(text.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8"))
        except Exception:  # a page lxml cannot parse has no label
            continue
        stated = stated_titles(root)
        label = title_label(stated)
        if label:
            labels[path], cut[path] = label, cut_site_name(stated["title"][0]) if stated["title"] else ""
    return labels, cut


def title_figures(found: dict[Path, str], labels: dict[Path, str]) -> dict:
    """The share of the labelled pages whose found title is the label."""
    right = sum(title_key(found.get(path) or "") == title_key(label) for path, label in labels.items())
    return {"title_right": round(right / max(1, len(labels)), 3), "pages_with_title_label": len(labels)}


def peer_web(pages: list[tuple[Path, dict]], titles: dict[Path, str]) -> dict[str, dict]:
    """readability-lxml's and trafilatura's figures on the same pages, with their run times."""
    import trafilatura
    from readability import Document as Readable

    from indexer.read import read_source

    def readability_text(html: str) -> tuple[str, None, str]:
        page = Readable(html)
        return _html_text(page.summary(html_partial=True)), None, page.short_title()

    def trafilatura_text(html: str) -> tuple[str, str | None, str]:
        found = trafilatura.bare_extraction(html, with_metadata=True, as_dict=True) or {}
        return found.get("text") or "", found.get("author"), found.get("title") or ""

    figures = {}
    for name, extract in (("readability-lxml", readability_text), ("trafilatura", trafilatura_text)):
        snippets, authors, found_titles, started = Snippets(), [], {}, time.perf_counter()
        for path, label in pages:
            try:
                text, author, found_titles[path] = extract(read_source(path, 50 * 1024 * 1024).text)
            except Exception:  # a peer failing on a page scores it as empty
                text, author = "", None
            snippets.add(text, label)
            if label.get("author") and author is not None:
                authors.append(name_set(author) == name_set(label["author"]))
            elif label.get("author"):
                authors.append(False)
        author_right = round(sum(authors) / max(1, len(authors)), 3) if name != "readability-lxml" else None
        figures[name] = {**snippets.figures(), "author_right": author_right,
                         "seconds": round(time.perf_counter() - started, 1), **title_figures(found_titles, titles)}
    return figures


def _html_text(html: str) -> str:
    """The text of an HTML fragment, block elements on lines of their own."""
    from lxml import html as lxml_html

    if not html.strip():
        return ""
    root = lxml_html.fromstring(html)
    for block in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr"):
        block.tail = "\n" + (block.tail or "")
    return root.text_content()


def books() -> list[tuple[Path, dict]]:
    """The devset books (book.html, truth)."""
    return [(folder / "book.html", json.loads((folder / "truth.json").read_text(encoding="utf-8")))
            for folder in sorted((DEVSETS / "books").iterdir()) if (folder / "book.html").is_file()]


def score_book(record: dict, truth: dict) -> dict:
    """Words kept, contents headings found as sections, notes linked, title and authors right."""
    from indexer.notes import NOTES_HEADING
    from indexer.sections import heading_key

    titles = {heading_key(s["title"]) for s in record["sections"] if s["title"] and s["level"]}
    # the notes' own heading is the reader's notes list, not a section
    found = [heading_key(h) in titles or (NOTES_HEADING.match(h) and record["footnotes"]) for h in truth["toc_headings"]]
    linked = sum(1 for note in record["footnotes"] if note["cited"])
    return {"words": round(len(kept_text(record).split()) / truth["words"], 3),
            "headings": round(sum(map(bool, found)) / len(found), 3),
            "missing_headings": [h for h, ok in zip(truth["toc_headings"], found) if not ok],
            "notes_linked": round(linked / truth["n_notes"], 3),
            "title_right": record["title"] == truth["title"],
            "authors_right": name_set(record["authors"]) == name_set(truth["authors"]),
            "title": record["title"], "authors": record["authors"]}


def manual_pages() -> list[tuple[Path, dict]]:
    """The devset manual pages (doc.html, manifest row)."""
    lines = (DEVSETS / "technical-notes" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return [(DEVSETS / "technical-notes" / row["dir"] / "doc.html", row) for row in rows]


def score_manual(record: dict, row: dict) -> dict:
    """Notes linked against the page's notes, and a title free of Sphinx's pilcrow."""
    linked = sum(1 for note in record["footnotes"] if note["cited"])
    return {"notes_linked": linked, "n_footnotes": row["n_footnotes"], "title": record["title"],
            "title_clean": "¶" not in record["title"] and bool(record["title"])}


def manual_summary(scores: list[dict]) -> dict:
    """The manual pages' figures over all of them."""
    return {"notes_linked": round(sum(s["notes_linked"] for s in scores) / sum(s["n_footnotes"] for s in scores), 3),
            "titles_clean": round(sum(s["title_clean"] for s in scores) / len(scores), 3), "pages": len(scores)}


# what no reader counts as a manual page's text: its navigation bars, contents lists and search forms
PAGE_FURNITURE = re.compile(r"nav\w*|docnav|toc|list-of-\w+|breadcrumbs?|sphinxsidebar\w*|related|footer|header|search\w*"
                            r"|rst-versions", re.I)  # a class or id, whole
CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
TOKENS = re.compile(f"[{CJK}]|[^\\W_{CJK}]+")  # a CJK character is a token


def multilingual_pages() -> list[Path]:
    """The HTML pages of devsets/multilingual (Debian's manuals in ja, ru and en)."""
    return sorted((DEVSETS / "multilingual").rglob("*.html"))


def page_tokens(path: Path):
    """The words (CJK: characters) of a manual page's visible text, its navigation and contents left out."""
    import warnings
    from collections import Counter

    from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning

    warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
    soup = BeautifulSoup(path.read_bytes(), "lxml")
    for tag in soup(["script", "style", "head", "nav", "form"]):
        tag.decompose()
    for tag in soup.find_all(lambda t: any(PAGE_FURNITURE.fullmatch(n) for n in [*(t.get("class") or []), t.get("id") or ""])):
        if not tag.decomposed:
            tag.decompose()
    text = re.sub(r"\[\d+\]", " ", soup.get_text(" "))  # note markers and labels: the archive links them
    return Counter(t.lower() for t in TOKENS.findall(text))


def kept_recall(records: dict[Path, dict], paths: list[Path]) -> dict:
    """Per page, the share of its text's words the record kept as its title, subtitle, authors, abstract, text,
    notes and parts (a word as often as the page has it)."""
    from collections import Counter

    recalls = {}
    for path in paths:
        truth = page_tokens(path)
        record = records.get(path)
        held = "\n".join([record["title"], record["subtitle"], *record["authors"], record["abstract"],
                          kept_text(record), *(t for texts in record["parts"].values() for t in texts)]) if record else ""
        kept = Counter(t.lower() for t in TOKENS.findall(held))
        recalls[str(path.relative_to(DEVSETS))] = round(sum((truth & kept).values()) / max(1, sum(truth.values())), 3)
    under = {page: r for page, r in recalls.items() if r < 0.95}
    return {"pages": len(recalls), "mean": round(sum(recalls.values()) / max(1, len(recalls)), 3),
            "min": min(recalls.values(), default=0.0), "pages_under_0_95": under}


def main() -> None:
    """Run every devset through the archive and the peers and write results/quality.json."""
    pages = web_pages()
    started = time.perf_counter()
    records = ingest_records([p for p, _ in pages])
    seconds = round(time.perf_counter() - started, 1)
    titles, cut_titles = web_titles(pages)
    archive = {**score_web(records, pages, titles), "seconds": seconds}
    peers = peer_web(pages, titles)
    peers["<title> with the site's name cut"] = title_figures(cut_titles, titles)
    book_records = ingest_records([p for p, _ in books()])
    book_scores = {truth["slug"]: score_book(book_records[path], truth) for path, truth in books()}
    manual_records = ingest_records([p for p, _ in manual_pages()])
    manual_scores = {row["dir"]: score_manual(manual_records[path], row) for path, row in manual_pages()}
    multilingual = multilingual_pages()
    figures = {"web": {"archive": archive, **peers}, "books": book_scores,
               "technical_notes": {"summary": manual_summary(list(manual_scores.values())), "pages": manual_scores,
                                   "kept_recall": kept_recall(manual_records, [p for p, _ in manual_pages()])},
               "multilingual_kept_recall": kept_recall(ingest_records(multilingual), multilingual)}
    path = write_results("quality", figures)
    print(json.dumps({"web": figures["web"], "books": {k: {m: v[m] for m in ("words", "headings", "notes_linked",
                      "title_right", "authors_right")} for k, v in book_scores.items()},
                      "technical_notes": figures["technical_notes"]["summary"],
                      "kept_recall": {name: {k: v for k, v in cells.items() if k != "pages_under_0_95"} for name, cells in
                                      (("technical_notes", figures["technical_notes"]["kept_recall"]),
                                       ("multilingual", figures["multilingual_kept_recall"]))}}, indent=1))
    print(f"figures written to {path}")
