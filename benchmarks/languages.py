"""Languages benchmark: known-item queries in Japanese, Russian and English on Debian's manuals.

Run ``python -m benchmarks languages``. The 99 pages of ``../shared/devsets/multilingual/`` (the same
three manuals in ja, ru and en) go into one archive through ``archive ingest``'s own function. From
each stored page come its known-item queries (QUERY_KINDS): a section heading as typed; two of its
rarest words (the fewest pages of its language hold them; in Japanese, nouns that MeCab with UniDic
finds, used only to make the queries); in Russian, the same two words put into another grammatical
case by pymorphy3 (``мирный договор`` → ``мирного договора``: the two rarest Russian words that have
cases). A heading that another page also has names no one page and is not asked. Each runs through
the same ``search`` function as ``/api/search``; success = the page among the first 10. Beside it, in
the same run, SQLite FTS5 over all the pages: the ``trigram`` tokenizer for Japanese queries,
``unicode61`` for Russian and ``porter unicode61`` for English, the query's words ANDed.
"""
from __future__ import annotations

import re
import sqlite3
import tempfile
import time
from collections import Counter
from functools import cache
from pathlib import Path

from benchmarks.common import REPO, write_results
from benchmarks.recall import archive_ranks, print_beside, summary, texts

DEVSET = REPO.parent / "shared" / "devsets" / "multilingual"
LANGUAGES = ("ja", "ru", "en")
QUERY_KINDS = ("heading", "rare_words", "other_case")
FTS_TOKENIZERS = {"ja": "trigram", "ru": "unicode61 remove_diacritics 2", "en": "porter unicode61 remove_diacritics 2"}
TOP = 10
CYRILLIC_WORD = re.compile(r"[а-яё]+")


def pages() -> dict[str, list[Path]]:
    """The HTML pages of each language."""
    return {lang: sorted((DEVSET / lang).rglob("*.html")) for lang in LANGUAGES}


@cache
def _tagger():
    import fugashi  # the bench extra: MeCab with unidic-lite

    return fugashi.Tagger()


@cache
def _morph():
    import pymorphy3  # the bench extra, with pymorphy3-dicts-ru

    return pymorphy3.MorphAnalyzer()


def words_of(text: str, lang: str) -> set[str]:
    """The content words of a text: Japanese nouns of two characters or more; otherwise words of four
    letters or more, in lower case."""
    if lang == "ja":
        return {w.surface for w in _tagger()(text) if w.feature.pos1 == "名詞" and len(w.surface) >= 2
                and not re.search(r"[\dA-Za-z０-９Ａ-Ｚａ-ｚ]", w.surface)}
    return {w.lower() for w in re.findall(r"\w{4,}", text) if not re.search(r"\d", w) and not w.startswith("_")}


def other_case(word: str) -> str:
    """A Russian word in another case (genitive, or nominative for a genitive); '' when it has none."""
    parse = _morph().parse(word)[0]
    if parse.tag.case is None:
        return ""
    form = parse.inflect({"nomn" if parse.tag.case == "gent" else "gent"})
    return form.word if form and form.word != word else ""


def queries_for(doc, lang: str, frequency: Counter, headings_of: Counter) -> dict[str, str]:
    """A page's known-item queries (a kind it cannot give is left out); a heading other pages also have
    ("Developer's Reference Team", an English heading kept in all three translations) names no one page.
    """
    from indexer.scripts import word_count

    made: dict[str, str] = {}
    headings = [s.title for s in doc.sections if word_count(s.title) >= 2 and s.title != doc.meta.title
                and headings_of[s.title] == 1]
    if headings:
        made["heading"] = headings[len(headings) // 2]
    by_rarity = sorted(words_of("\n".join(texts(doc)), lang), key=lambda w: (frequency[w], -len(w), w))
    if len(by_rarity) >= 2:
        made["rare_words"] = " ".join(by_rarity[:2])
    if lang == "ru":  # the two rarest Russian words that have cases, each in another case
        inflected = [form for form in (other_case(w) for w in by_rarity if CYRILLIC_WORD.fullmatch(w)) if form][:2]
        if len(inflected) == 2:
            made["other_case"] = " ".join(inflected)
    return made


def fts_ranks(store, languages: dict[str, str], made: list[tuple[str, str, str, str]]) -> list[int | None]:
    """Each query's rank of its page in SQLite FTS5 over whole pages of its language, words ANDed."""
    from archive.model import strip_markers

    dbs = {}
    for lang, tokenizer in FTS_TOKENIZERS.items():  # each over all the pages, as the archive is
        db = dbs[lang] = sqlite3.connect(":memory:")
        db.execute(f"CREATE VIRTUAL TABLE t USING fts5(doc_id UNINDEXED, body, tokenize='{tokenizer}')")
    for doc in store.documents():
        if doc.id in languages:
            body = "\n".join([doc.meta.title, *(f"{s.title}\n" + "\n".join(strip_markers(p) for p in s.paragraphs)
                                                for s in doc.sections), *(n.text for n in doc.footnotes)])
            for db in dbs.values():
                db.execute("INSERT INTO t VALUES (?, ?)", (doc.id, body))
    ranks = []
    for lang, _, doc_id, query in made:
        words = " ".join(f'"{w}"' for w in re.findall(r"\w+", query))
        rows = dbs[lang].execute("SELECT doc_id FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?",
                                 (words, TOP)).fetchall()
        found = [r[0] for r in rows]
        ranks.append(found.index(doc_id) + 1 if doc_id in found else None)
    return ranks


def build(folder: Path):
    """An archive of the three languages' pages, and its (language, query kind, document id, query) rows."""
    from archive.config import Settings
    from archive.store import Store
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    settings, language_of = Settings(folder), {}
    for lang, files in pages().items():
        report = ingest(files, settings, ParseOptions(max_bytes=settings.max_file_bytes))
        language_of.update({item["id"]: lang for item in report.added + report.unchanged})
    store = Store(settings.data_dir)
    docs = [doc for doc in store.documents() if doc.id in language_of]
    frequency, headings_of = {lang: Counter() for lang in LANGUAGES}, Counter()
    for doc in docs:
        frequency[language_of[doc.id]].update(words_of("\n".join(texts(doc)), language_of[doc.id]))
        headings_of.update({s.title for s in doc.sections})
    made = [(language_of[doc.id], kind, doc.id, query) for doc in docs
            for kind, query in queries_for(doc, language_of[doc.id], frequency[language_of[doc.id]],
                                           headings_of).items()]
    detected = Counter((language_of[doc.id], doc.meta.language) for doc in docs)
    return settings, store, made, language_of, detected


def main() -> dict:
    """The table for the archive and FTS5; writes results/languages.json."""
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        settings, store, made, language_of, detected = build(Path(tmp) / "archive")
        try:
            figures = {"queries": len(made), "build_seconds": round(time.perf_counter() - started, 1),
                       "detected_language": {f"{lang} pages as {found or '?'}": n
                                             for (lang, found), n in sorted(detected.items())},
                       "archive": summary(made, archive_ranks(settings, made)),
                       "fts5": summary(made, fts_ranks(store, language_of, made))}
        finally:
            store.close()
    print_beside(figures["archive"], figures["fts5"])
    print(f"figures written to {write_results('languages', figures)}")
    return figures
