"""The Whoosh schema and its version: an index built with another version is rebuilt, never misread."""
from __future__ import annotations

import json
from collections import defaultdict
from math import log
from pathlib import Path

from whoosh import columns, formats, scoring
from whoosh.analysis import Analyzer, Token
from whoosh.analysis.filters import STOP_WORDS
from whoosh.fields import COLUMN, ID, STORED, TEXT, Schema
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

from indexer.scripts import (LEMMATISED, SNOWBALL, WORD, DictionaryForms, SnowballStems, cjk_grams, dotted_parts,
                             folded_arabic, folded_cyrillic, own_script, script_of, script_runs, split_language,
                             stemmed_language)

RUSSIAN_STOPS = frozenset(w.replace("ё", "е") for w in stopwords_for_language("ru"))
# 10 was a word-pair schema, since reverted; 12 indexes the abstract; 13 analyses by script; 14 adds the stems
# of a document's own language; 17 filters by the entry table, not by fields repeated in every passage
SCHEMA_VERSION = 17
VERSION_FILE = "schema_version.json"


class TextAnalyzer(Analyzer):
    """Words analysed by their writing system (``indexer.scripts``): Japanese, Chinese and Korean runs as
    characters and pairs, Cyrillic folded and Russian-stemmed; every other word with English stemming
    (Snowball's English stemmer, "Porter2", in its C code) and accents folded: "Perouse" finds "Pérouse".

    A value opened by a language code (``scripts.language_marked``: the text of a French, German…
    document), or a ``language`` given, also gives each such word's stem in that language, at the
    same position ("chevaux" is "chevaux" and "cheval"); a query's words are analysed without it
    (``ArchiveQueryParser`` adds those stems as alternatives).

    For the other words, the same tokens as Whoosh's ``RegexTokenizer() | LowercaseFilter() |
    CharsetFilter(accent_map) | StopFilter() | StemFilter(Snowball English)``, made in one loop: the
    chain's generator per filter per token was a third of indexing time. (Whoosh's own Porter2 in
    Python stemmed 10 times slower, and wrongly in places: "added" as "ad", "university" as "univers".)
    """

    is_morph = True
    CACHE_SIZE = 100_000

    def __init__(self):
        self.expression = WORD
        self._words: dict[str, tuple[str, str | None]] = {}  # see _analysed
        self._snowball = SnowballStems()
        self._forms = DictionaryForms()

    def __getstate__(self):
        return {"expression": self.expression}  # the stem caches stay out of the pickled schema

    def __setstate__(self, state):
        self.__init__()

    def __eq__(self, other):
        return self.__class__ is other.__class__

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", no_morph=False, language="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        for text, stopped, pos, start, end, original in self.spans(value, removestops, start_pos, tokenize, mode,
                                                                   no_morph, language):
            token.text, token.stopped = text, stopped
            if keeporiginal or not tokenize:
                token.original = original
            if positions:
                token.pos = pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token

    def spans(self, value: str, removestops: bool = True, start_pos: int = 0, tokenize: bool = True, mode: str = "",
              no_morph: bool = False, language: str = ""):
        """(index word, stopped, position, start, end, text as written) of each token: what ``__call__``
        gives as Token objects, which the index's formats (SpanPositions) read without them."""
        marked, value = split_language(value)
        own = "" if no_morph or mode == "query" else stemmed_language(language or marked)
        own_words = own_script(own)
        number, pos = start_pos - 1, None  # stop words removed, the words kept are renumbered without gaps
        words = self._words
        for original, start, end, script, step in self._pieces(value, tokenize, mode == "query"):
            number += step
            word, stemmed = (script == "other" and words.get(original)) or self._analysed(original, script)
            if stemmed is None:
                if not removestops:
                    yield word, True, number, start, end, original
                continue
            pos = number if pos is None else pos + step
            text = word if no_morph else stemmed
            yield text, False, pos, start, end, original
            if own and script == own_words:
                for stem in self.language_stems(original, own):
                    if stem != text:
                        yield stem, False, pos, start, end, original

    def _pieces(self, value: str, tokenize: bool, query: bool):
        """(text as written, start, end, script, position step) of each word, character or pair of a value;
        in the text, also the parts of a dotted word, at the word's position.
        """
        if not tokenize:
            yield value, 0, len(value), script_of(value), 1
            return
        for match in self.expression.finditer(value):
            word = match.group(0)
            if word.isascii() and "." not in word:  # most words: one piece of the other scripts, no parts
                yield word, match.start(), match.end(), "other", 1
                continue
            for offset, piece in script_runs(word):
                start, script = match.start() + offset, script_of(piece)
                if script == "cjk":
                    for a, b, step in cjk_grams(piece, query):
                        yield piece[a:b], start + a, start + b, script, step
                    continue
                yield piece, start, start + len(piece), script, 1
                for at, part in () if query else dotted_parts(piece):
                    yield part, start + at, start + at + len(part), script, 0

    @staticmethod
    def _folded(word: str, script: str) -> str:
        """A word as the index writes it: lower case, accents or letter variants folded (CJK as it is)."""
        if script == "other":  # most words: tested first
            return word.lower().translate(accent_map)
        if script == "cyrillic":
            return folded_cyrillic(word)
        return folded_arabic(word) if script == "arabic" else word

    @staticmethod
    def _is_stop(word: str, script: str) -> bool:
        """Whether a folded word is left out: a letter alone (not a digit: "Article 9") or a stop word of
        its script (none in CJK)."""
        if script == "other":
            return (len(word) < 2 and not word.isdigit()) or word in STOP_WORDS
        if script == "cyrillic":
            return len(word) < 2 or word in RUSSIAN_STOPS
        return False if script == "cjk" else len(word) < 2

    def _stemmed(self, word: str, script: str) -> str:
        """A folded word's stem: Russian for Cyrillic, English for the other words, none for CJK and Arabic."""
        if script == "other":
            return self._snowball(word, "english")
        return self._snowball(word, "russian") if script == "cyrillic" else word

    def language_stems(self, word: str, language: str) -> tuple[str, ...]:
        """A word's stems in a language of its own stems: its Snowball stem in a language of SNOWBALL,
        folded as the index folds its words (stemmed before folding: the stemmers know their accents),
        or its dictionary forms in one of LEMMATISED."""
        if language in LEMMATISED:
            return self._forms(word.lower(), language)
        return (self._snowball(word.lower(), SNOWBALL[language]).translate(accent_map),)

    def _analysed(self, original: str, script: str) -> tuple[str, str | None]:
        """A word folded, and its stem (None for a stop word); remembered for the other scripts' words,
        which are most of a text: one lookup instead of folding, a stop-word test and stemming."""
        word = self._folded(original, script)
        found = word, None if self._is_stop(word, script) else self._stemmed(word, script)
        if script == "other":
            if len(self._words) >= self.CACHE_SIZE:
                self._words.clear()
            self._words[original] = found
        return found


def folded_text(text: str) -> str:
    """A text folded as the index folds its words (case, accents, ``ё``, Arabic letters), not cut into words.

    >>> folded_text("Pérouse остаётся")
    'perouse остается'
    """
    return folded_arabic(text.lower().translate(accent_map).replace("ё", "е"))


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


class SpansRead:
    """A Whoosh format reading the analyzer's spans as tuples (``TextAnalyzer.spans``): the same postings
    without a Token object and two generators per word (a ninth of indexing time)."""

    def word_values(self, value, analyzer, **kwargs):
        if not isinstance(value, str) or not hasattr(analyzer, "spans"):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        found = defaultdict(list)
        for text, _, pos, start, end, _ in analyzer.spans(value, mode=kwargs.get("mode", "")):
            found[text].append(self.place(pos, start, end))
        for word, places in found.items():
            yield word, len(places), len(places) * self.field_boost, self.encode(places)


class SpanPositions(SpansRead, formats.Positions):
    """Whoosh's Positions format (each word's positions), read from spans."""

    @staticmethod
    def place(pos: int, start: int, end: int) -> int:
        return pos


class SpanCharacters(SpansRead, formats.Characters):
    """Whoosh's Characters format (each word's positions and character offsets), read from spans."""

    @staticmethod
    def place(pos: int, start: int, end: int) -> tuple[int, int, int]:
        return pos, start, end


def spans_read(field: TEXT) -> TEXT:
    """A text field whose format reads its analyzer's spans (SpanPositions, SpanCharacters)."""
    kind = SpanCharacters if isinstance(field.format, formats.Characters) else SpanPositions
    field.format = kind(field_boost=field.format.field_boost)
    return field


def text_analyzer():
    """The analyzer of the text fields (see TextAnalyzer)."""
    return TextAnalyzer()


class NameAnalyzer(TextAnalyzer):
    """Names: the text's words, folded the same way, never stemmed; a name in kanji as characters and
    pairs, so 山田 finds 山田花子. Stop words are dropped as in the text: a bare word is also looked for in
    the authors, and "the" in "the peace treaty" kept there became a word every result had to have in
    its authors, so the query found nothing.
    """

    is_morph = False

    def _stemmed(self, word: str, script: str) -> str:
        return word


def name_analyzer():
    """The analyzer of names (see NameAnalyzer)."""
    return NameAnalyzer()


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
        section_title=spans_read(TEXT(analyzer=text_analyzer(), stored=True, multitoken_query="phrase")),
        note_number=STORED(),
        pages=STORED(),  # a PDF's page label of each paragraph of the entry's text
        content=spans_read(TEXT(analyzer=text_analyzer(), stored=True, phrase=True, chars=True,
                                multitoken_query="phrase")),
        title=spans_read(TEXT(analyzer=text_analyzer(), multitoken_query="phrase")),
        authors=spans_read(TEXT(analyzer=name_analyzer(), multitoken_query="phrase")),
        publisher=spans_read(TEXT(analyzer=name_analyzer())),
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
