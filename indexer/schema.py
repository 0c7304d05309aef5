"""The Whoosh schema and its version: an index built with another version is rebuilt, never misread."""
from __future__ import annotations

import json
from math import log
from pathlib import Path

from whoosh import columns, scoring
from whoosh.analysis import Analyzer, CharsetFilter, LowercaseFilter, RegexTokenizer, StopFilter, Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.lang.porter2 import stem
from whoosh.support.charset import accent_map

SCHEMA_VERSION = 12  # 10 was a word-pair schema, since reverted; 12 indexes the abstract
VERSION_FILE = "schema_version.json"


class TextAnalyzer(Analyzer):
    """English stemming (Porter2, "Snowball English") with accents folded: "Perouse" finds "Pérouse".

    The same tokens as Whoosh's ``RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) |
    StopFilter() | StemFilter(porter2.stem)``, made in one loop: the chain's generator per filter per token was a
    third of indexing time.
    """

    is_morph = True
    CACHE_SIZE = 100_000

    def __init__(self):
        self.expression = RegexTokenizer().expression
        self._stems: dict[str, str] = {}

    def __getstate__(self):
        return {"expression": self.expression}  # the stem cache stays out of the pickled schema

    def __setstate__(self, state):
        self.__init__()

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", no_morph=False, **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        matches = self.expression.finditer(value) if tokenize else [_Whole(value)]
        pos = None  # stop words removed, the positions of the words kept are renumbered without gaps
        for number, match in enumerate(matches, start_pos):
            original = match.group(0)
            word = original.lower().translate(accent_map)
            token.stopped = len(word) < 2 or word in STOP_WORDS
            if token.stopped:
                if removestops:
                    continue
                token.text = word
            else:
                token.text = word if no_morph else self._stem(word)
                pos = number if pos is None else pos + 1
            if keeporiginal or not tokenize:
                token.original = original
            if positions:
                token.pos = number if token.stopped else pos
            if chars:
                token.startchar, token.endchar = start_char + match.start(), start_char + match.end()
            yield token

    def _stem(self, word: str) -> str:
        """The Porter2 stem of a word, remembered."""
        found = self._stems.get(word)
        if found is None:
            if len(self._stems) >= self.CACHE_SIZE:
                self._stems.clear()
            found = self._stems[word] = stem(word)
        return found


class _Whole:
    """A stand-in regex match covering a whole value (for ``tokenize=False``)."""

    def __init__(self, value: str):
        self.value = value

    def group(self, _):
        return self.value

    def start(self):
        return 0

    def end(self):
        return len(self.value)


class PassageBM25(scoring.BM25F):
    """BM25 over passages (k1 1.2, b 0.75) with Lucene's idf, ``log(1 + (N - n + 0.5) / (n + 0.5))``.

    Whoosh's own idf, ``log(N / (n + 1)) + 1``, keeps a weight of at least 1 for a word found in every
    passage, so the common words of a long question drowned its rare ones (CISI nDCG@10 0.31 against
    0.37 with this idf, the query words' repeats counted too).
    """

    def idf(self, searcher, fieldname, text):
        parent = searcher.get_parent()
        found, total = parent.doc_frequency(fieldname, text), parent.doc_count_all()
        return log(1 + (total - found + 0.5) / (found + 0.5))


def text_analyzer():
    """The analyzer of the text fields (see TextAnalyzer)."""
    return TextAnalyzer()


def name_analyzer():
    """Names: lower case and accents folded, no stemming; stop words dropped as in the text.

    A bare word is also looked for in the authors: kept there, "the" in "the peace treaty" became
    a word every result had to have in its authors, and the query found nothing.
    """
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter()


def build_schema() -> Schema:
    """One entry per section, per footnote and per document (kind = body, footnote, document).

    Every entry carries the document's title, authors, publisher and dates to match and filter on;
    only the document entry keeps them (as ``facts``), in a column rather than a stored field: a column
    lies in one run per segment, where stored fields lie between the passages' text, and reading every
    document's facts from those brought most of the index's pages into each server worker. Nothing is
    indexed that no query uses.
    """
    return Schema(
        doc_id=ID(stored=True, sortable=True),  # sortable: a column, read whole for the entry table
        kind=ID(stored=True, sortable=True),
        section_id=STORED(),
        section_title=TEXT(analyzer=text_analyzer(), stored=True),
        note_number=STORED(),
        pages=STORED(),  # a PDF's page label of each paragraph of the entry's text
        content=TEXT(analyzer=text_analyzer(), stored=True, phrase=True, chars=True),
        title=TEXT(analyzer=text_analyzer()),
        authors=TEXT(analyzer=name_analyzer()),
        author_facet=KEYWORD(commas=True, lowercase=False),
        publisher=TEXT(analyzer=name_analyzer()),
        publisher_facet=ID(),
        year=ID(),
        date=ID(),
        facts=COLUMN(columns.PickleColumn(columns.VarBytesColumn())),
        record_hash=STORED(),
    )


def write_version(index_dir: Path) -> None:
    """Record the schema version the index in ``index_dir`` was built with."""
    (Path(index_dir) / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}))


def needs_rebuild(index_dir: Path) -> bool:
    """True if there is no index, or it was built with another schema version."""
    version_file = Path(index_dir) / VERSION_FILE
    try:
        return json.loads(version_file.read_text()).get("schema_version") != SCHEMA_VERSION
    except (OSError, ValueError):
        return True
