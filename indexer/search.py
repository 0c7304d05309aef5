"""Search: one function behind both ``archive search`` and the web API, returning one result object."""
from __future__ import annotations

import heapq
import html
from functools import partial
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, fields

from whoosh import qparser
from whoosh.highlight import Fragment, HtmlFormatter, PinpointFragmenter, WholeFragmenter, get_text, highlight
from whoosh.query import And, AndNot, Every, Not, Or, Phrase, Prefix, Query, Term, Wildcard
from whoosh.searching import Hit as WhooshHit
from whoosh.searching import Results
from whoosh.spelling import Corrector

from archive.errors import ArchiveError
from indexer.index import ArchiveIndex, DocumentFacts, EntryTable
from indexer.schema import folded_text, text_analyzer
from indexer.docmatch import DocumentMatcher, Matched, maybe
from indexer.querytext import as_typed, plain_words
from indexer.scores import SamePassage, Scored, WordFields
from indexer.scripts import CYRILLIC, LEMMATISED, own_script, script_of, stemmed_language
from indexer.variants import expand_variants

MAX_QUERY_CHARS = 4000
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
# seconds of its own work (CPU time of its thread: waiting for a busy server does not count) a search may
# spend collecting passages, after which it stops and says its counts are those found by then
TIME_LIMIT = 1.0
# ... and the whole request, parsing to snippets, this many times as long: past it, the passages left
# on the page show their opening text unmarked, so no search runs away on highlighting
REQUEST_LIMIT_FACTOR = 2
MANY_WORDS = 64  # a query finding more words of the text than this has its snippets' words found from the text
MAX_PAGE = 1000
MAX_PER_PAGE = 100
KINDS = ("body", "footnote")
SORTS = ("relevance", "date")
FACETS = ("author", "publisher", "year", "kind")
DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")
FOOTNOTE = "footnote"  # the query's field for words in the notes
MAX_EDITS = 2  # the most edits a fuzzy word (word~2) may take
WHOLE_SNIPPET = 240  # a passage this long or shorter is its own snippet, whole
# a word "did you mean" may correct: not a field name, nor part of a wildcard or fuzzy word
SUGGESTABLE = re.compile(r"(?<![\w*?~^])[^\W\d_]\w*(?![\w:*?~])")
OPERATORS = frozenset({"AND", "OR", "NOT", "TO", "ANDNOT", "ANDMAYBE"})
ANALYZER = text_analyzer()
# a bare word is looked for in these fields, scored as one BM25F term (indexer.scores.WordFields)
FIELD_WEIGHTS = {"content": 1.0, "section_title": 1.0, "title": 1.0, "authors": 1.0}
STEMMED_FIELDS = ("content", "section_title", "title")  # the authors' words are kept unstemmed
# a query of 4 words or more that fewer than a page of documents match in full ranks those with any of them
MOST_FROM_WORDS, FEW_DOCUMENTS = 4, 10
FEEDBACK_FROM_WORDS = 4  # a query of this many text words or more gets words from its best passages added
FEEDBACK_PASSAGES, FEEDBACK_WORDS, FEEDBACK_WEIGHT = 10, 10, 0.5
# words that say nothing of a question's subject; dropped from queries of FEEDBACK_FROM_WORDS words or more
FUNCTION_WORDS = frozenset("""about above after again against all also am any anything because been before being below
between both could did do does doing done during each either else ever every few further had has having he her here
hers herself him himself his how however i into its itself just me more most my myself neither nor now off once only
other ought our ours ourselves out over own same she should so some such than their theirs them themselves there these
they those through too under until up upon very was were what whatever when where whether which while who whom whose
why would within without you yours yourself yourselves""".split())
FUNCTION_STEMS = frozenset(token.text for word in FUNCTION_WORDS for token in ANALYZER(word))
STEM_CUT = 3  # letters the English stemmer takes off the end of a word at most, beyond a prefix typed


class QueryError(ArchiveError):
    """A query or search parameter that cannot be used, naming the parameter."""

    def __init__(self, message: str, param: str = "q"):
        super().__init__(message)
        self.param = param


@dataclass(frozen=True)
class SearchRequest:
    """What to search for: the query, the filters, the order and the page (of documents)."""

    query: str
    author: str = ""
    publisher: str = ""
    year: str = ""
    kind: str = ""
    language: str = ""
    date_from: str = ""
    date_to: str = ""
    doc_id: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    passages: int = 3

    def __post_init__(self):
        check_request(self)

    def filters(self) -> dict[str, str]:
        """The filters that are set, by parameter name."""
        names = ("author", "publisher", "year", "kind", "language", "date_from", "date_to", "doc_id")
        return {n: getattr(self, n) for n in names if getattr(self, n)}


def check_request(request: SearchRequest) -> None:
    """Raise QueryError naming the first parameter that cannot be used."""
    text = request.query.strip()
    if not text:
        raise QueryError("the query is empty: type one or more words")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    if not 1 <= request.page <= MAX_PAGE:
        raise QueryError(f"page must be a whole number from 1 to {MAX_PAGE}", "page")
    if not 1 <= request.per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be a whole number from 1 to {MAX_PER_PAGE}", "per_page")
    if request.kind not in ("", *KINDS):
        raise QueryError(f"kind must be one of {', '.join(KINDS)}", "kind")
    if request.language and not LANGUAGE_CODE.fullmatch(request.language):
        raise QueryError("language must be a language code such as en, ja or ru", "language")
    if request.sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}", "sort")
    for name in ("date_from", "date_to", "year"):
        value = getattr(request, name)
        if value and (not DATE.fullmatch(value) or (name == "year" and len(value) != 4)):
            form = "a year written YYYY" if name == "year" else "a date written YYYY, YYYY-MM or YYYY-MM-DD"
            raise QueryError(f"{name} must be {form}", name)
    if request.date_from and request.date_to and request.date_from[:len(request.date_to)] > request.date_to:
        raise QueryError(f"date_from ({request.date_from}) is later than date_to ({request.date_to}): "
                         "no document can be dated between them", "date_from")


@dataclass
class Hit:
    """One matching section or footnote, with a highlighted snippet (HTML whose only markup is <mark>)."""

    doc_id: str
    title: str
    authors: list[str]
    date: str
    section_id: str
    section_title: str
    kind: str
    note_number: int | None
    snippet: str
    score: float = 0.0
    page: str = ""  # a PDF's page label of the paragraph the snippet comes from
    language: str = ""  # the document's ISO 639-1 code ('' unknown)

    @property
    def anchor(self) -> str:
        """The reader anchor of the passage: the section id, or note-N for a footnote."""
        return f"note-{self.note_number}" if self.kind == "footnote" else self.section_id

    def to_dict(self) -> dict:
        """The hit's JSON shape: its fields but the score (asdict's deep copy cost a tenth of a search)."""
        return {f.name: list(self.authors) if f.name == "authors" else getattr(self, f.name)
                for f in fields(self) if f.name != "score"}


@dataclass
class DocumentMatches:
    """One document of the results, with how many of its passages match and the best ones."""

    facts: DocumentFacts
    matches: int
    hits: list[Hit] = field(default_factory=list)


@dataclass(frozen=True)
class Match:
    """How a query matched: ``all`` its words, or (a long query few documents match) ``most`` of them."""

    mode: str = "all"
    words: int = 0
    documents_with_all: int = 0

    def note(self) -> str:
        """What a reader is told when the results match most of the words, not all ('' otherwise).

        >>> Match("most", 14, 0).note(), Match("most", 5, 1).note()
        ('No document has all 14 words; showing those with most of them.', 'Only 1 document has all 5 words; showing those with most of them.')
        """
        if self.mode != "most":
            return ""
        some = "No document has" if not self.documents_with_all else \
            f"Only {self.documents_with_all} document{' has' if self.documents_with_all == 1 else 's have'}"
        return f"{some} all {self.words} words; showing those with most of them."


@dataclass
class SearchResult:
    """One page of results grouped by document, with facets, a suggestion and the variants searched."""

    request: SearchRequest
    total: int = 0
    total_documents: int = 0
    documents: list[DocumentMatches] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str = ""
    variants: list[str] = field(default_factory=list)
    match: Match = field(default_factory=Match)
    complete: bool = True  # False: the time limit stopped the search; the counts are those found by then

    @property
    def hits(self) -> list[Hit]:
        """The shown passages, document by document."""
        return [hit for doc in self.documents for hit in doc.hits]

    @property
    def pages(self) -> int:
        """How many pages of documents there are (of passages, searching within one document)."""
        shown = self.total if self.request.doc_id else self.total_documents
        return max(1, -(-shown // self.request.per_page))

    def notes(self) -> list[str]:
        """What a reader is told about how the results were found (most of the words, a search stopped)."""
        stopped = "" if self.complete else ("This search ran past its time limit and was stopped: the counts are "
                                            "those found by then, and documents further on may be missing.")
        return [note for note in (self.match.note(), stopped) if note]

    def to_dict(self) -> dict:
        """The JSON shape served by ``archive search --json`` and ``/api/search``."""
        return {
            "query": self.request.query.strip(), "filters": self.request.filters(), "sort": self.request.sort,
            "total": self.total, "total_documents": self.total_documents,
            "page": self.request.page, "per_page": self.request.per_page, "pages": self.pages,
            "hits": [h.to_dict() for h in self.hits],
            "documents": [{"doc_id": d.facts.doc_id, "matches": d.matches} for d in self.documents],
            "facets": {name: [{"value": v, "count": c} for v, c in counts] for name, counts in self.facets.items()},
            "suggestion": self.suggestion or None, "variants": self.variants,
            "match": asdict(self.match), "complete": self.complete,
        }


class Marks(frozenset):
    """The indexed words to mark, and the phrases among them: a word that the query looks for only
    inside a phrase is marked only where the phrase stands ("peace treaty" leaves "friendship treaty"
    unmarked)."""

    phrases: tuple[tuple[str, ...], ...] = ()
    phrase_only: frozenset = frozenset()  # words the query looks for in its phrases and nowhere else

    @classmethod
    def of(cls, words: frozenset, query: Query | None) -> Marks:
        """The marks of a query's words (``words``, as ``_content_words`` finds them): its content phrases,
        and which words it looks for only in them."""
        marks = cls(words)
        leaves = [] if query is None else list(query.leaves())
        marks.phrases = tuple(tuple(q.words) for q in leaves if isinstance(q, Phrase) and q.fieldname == "content")
        alone = {t for q in leaves if not isinstance(q, Phrase) for f, t in q.terms() if f == "content"}
        marks.phrase_only = frozenset(w for phrase in marks.phrases for w in phrase if w not in alone)
        return marks

    def kept(self, tokens: list, text: str) -> list:
        """The tokens to mark: those of words looked for alone, and those standing in one of the phrases."""
        if not self.phrases:
            return tokens
        tokens = sorted((t for t in tokens if t.startchar is not None), key=lambda t: t.startchar)
        keep = {i for i, t in enumerate(tokens) if t.text not in self.phrase_only}
        for i in range(len(tokens)):
            for phrase in self.phrases:
                run = tokens[i:i + len(phrase)]
                if [t.text for t in run] == list(phrase) and all(
                        len(text[a.endchar:b.startchar].split()) <= 1 for a, b in zip(run, run[1:])):
                    keep.update(range(i, i + len(phrase)))
        return [t for i, t in enumerate(tokens) if i in keep]


class MarkFormatter(HtmlFormatter):
    """Whoosh's HTML formatter (it escapes the text around matches) with a bare ``<mark>`` per match;
    matches that overlap or touch (a CJK word's character pairs) are one mark, and a phrase's words
    only where the phrase stands (``marks``).
    """

    def __init__(self, *args, marks: Marks | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.marks = marks

    def format_token(self, text, token, replace=False):
        return f"<mark>{html.escape(get_text(text, token, replace), quote=False)}</mark>"

    def format(self, fragments, replace=False):
        """The fragments in text order, those that overlap as one, with "…" where text was cut; a text
        short enough to show whole (a note's "Ibid. p. 108.") is shown whole."""
        if not fragments:
            return ""
        text = fragments[0].text
        if len(text) <= WHOLE_SNIPPET:
            fragments = [Fragment(text, [t for f in fragments for t in f.matches], 0, len(text))]
        merged: list[Fragment] = []
        for fragment in sorted(fragments, key=lambda f: f.startchar):
            if merged and fragment.startchar <= merged[-1].endchar:
                last = merged[-1]
                merged[-1] = Fragment(text, last.matches + fragment.matches, last.startchar,
                                      max(last.endchar, fragment.endchar))
            else:
                merged.append(fragment)
        opening = "… " if text[:merged[0].startchar].strip() else ""
        closing = " …" if text[merged[-1].endchar:].strip() else ""
        return opening + self.between.join(self.format_fragment(f, replace).strip() for f in merged) + closing

    def format_fragment(self, fragment, replace=False):
        """The fragment's text with each run of overlapping or touching matches in one ``<mark>``."""
        spans: list[list[int]] = []
        matches = self.marks.kept(fragment.matches, fragment.text) if self.marks is not None else fragment.matches
        for token in sorted((t for t in matches if t.startchar is not None), key=lambda t: t.startchar):
            if spans and token.startchar <= spans[-1][1]:
                spans[-1][1] = max(spans[-1][1], token.endchar)
            else:
                spans.append([token.startchar, token.endchar])
        text, at, output = fragment.text, fragment.startchar, []
        for start, end in spans:
            output += [self._text(text[at:start]), f"<mark>{html.escape(text[start:end], quote=False)}</mark>"]
            at = end
        return "".join([*output, self._text(text[at:fragment.endchar])])


class ArchiveQueryParser(qparser.QueryParser):
    """Whoosh's parser, with wildcards made to work on stems.

    The index holds stems, and Whoosh stems a wildcard's letters too: "pars*" became "par*" (part,
    param, …). A prefix now matches the stems that start with the letters as typed, and the stems a
    word starting with them can have been cut to: the letters' own stem and their last few letters
    dropped ("negotiat*" also finds "negoti", the stem of negotiation).
    """

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if script_of(text) == "cjk":  # indexed as characters and pairs: a wildcard or fuzzy CJK word is the word
            termclass, text, tokenize = Term, text.rstrip("*?"), True
        if termclass is Wildcard and "*" in text and not text.strip("*?"):
            return Every(fieldname, boost=boost)  # "?*?*" is any word: as "*", every document, not every word
        if termclass not in (Prefix, Wildcard) or fieldname not in self.schema:
            query = super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
            if type(query) is not Term:
                return query
            return self._or_alternatives(query, text)
        field = self.schema[fieldname]
        typed = list(field.process_text(text, mode="query", tokenize=False, removestops=False, no_morph=True))
        if not typed:
            return None
        letters = typed[0]
        query = termclass(fieldname, letters, boost=boost)
        if termclass is Wildcard or not field.analyzer.has_morph():
            return query
        stems = {next(field.process_text(text, mode="query", tokenize=False, removestops=False), letters)}
        stems.update(letters[:cut] for cut in range(max(3, len(letters) - STEM_CUT), len(letters)))
        return Or([query, *(Term(fieldname, stem, boost=boost) for stem in sorted(stems - {letters}))])

    def _or_alternatives(self, query: Term, text: str) -> Query:
        """A word also looked for by its other index words: a Cyrillic word as written (Snowball cuts
        "остров" to "остр", while its other forms, "островах", "острова", keep "остров"), and its stems in
        each language of the archive that has its own stems for the word's script (``languages``:
        "cheval" finds the "chevaux" of a French text, stemmed "cheval" in French; "острів" finds the
        "островів" of a Ukrainian one, whose dictionary form it is)."""
        field = self.schema[query.fieldname]
        if not field.analyzer.has_morph():
            return query
        script, others = script_of(text), set()
        if script == "cyrillic":
            others.update(field.process_text(text, mode="query", tokenize=False, no_morph=True))
        for language in self.languages:
            if own_script(language) == script:
                others.update(field.analyzer.language_stems(text, language))
        others.discard(query.text)
        return Or([query, *(Term(query.fieldname, word, boost=query.boost) for word in sorted(others))]) if others else query


def flat_word_fields(query: Query) -> Query:
    """A word's fields with each field's alternative terms side by side, scored as one BM25F term.

    >>> flat_word_fields(WordFields([Or([Term("content", "остр"), Term("content", "остров")]), Term("title", "остр")]))
    WordFields([Term('content', 'остр'), Term('content', 'остров'), Term('title', 'остр')])
    """
    if type(query) is not WordFields or not any(type(q) is Or for q in query.subqueries):
        return query
    terms = [leaf for q in query.subqueries for leaf in (q.subqueries if type(q) is Or else [q])]
    return WordFields(terms, boost=query.boost) if all(type(t) is Term for t in terms) else query


class WordFieldsGroup(qparser.syntax.GroupNode):
    """The parser's node for one bare word searched in several fields (a WordFields query)."""

    qclass = WordFields


class FuzzyWords(qparser.FuzzyTermPlugin):
    """``word~`` (one edit) and ``word~2`` (two) keep the word's first letter, as "did you mean" does.

    Without it a fuzzy word was compared with every word of the index, in Python, per field: 100 ms
    a query on a 50,000-word archive split in segments.
    """

    def create(self, parser, match):
        node = super().create(parser, match)
        node.maxdist = min(node.maxdist, MAX_EDITS)  # "~9" compared a word with nearly the whole vocabulary
        if not match.group("prefix"):
            node.prefixlength = 1
        return node


def parse_query(text: str, index: ArchiveIndex, languages: frozenset[str] = frozenset()) -> Query:
    """Parse the query language: words (all must match), "phrases", OR, NOT/-word, field:value, word*, word~.

    The text is first read as typed (``indexer.querytext``): curly quotes, hyphenated words, a question's
    closing ``?``. ``footnote:`` words must stand in a note (the rest of the query anywhere).
    """
    parser = ArchiveQueryParser(None, index.query_schema(FOOTNOTE), group=qparser.AndGroup)
    parser.languages = languages  # the archive's languages with stems of their own (EntryTable.languages)
    parser.remove_plugin_class(qparser.SingleQuotePlugin)  # pasted text's 'quotes' are not literal terms
    # no ranges: "[a TO z]" over the text fields was every word of the archive (1.2 s of CPU); dates are
    # filtered with date_from and date_to
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.add_plugin(qparser.MultifieldPlugin(list(FIELD_WEIGHTS), fieldboosts=FIELD_WEIGHTS, group=WordFieldsGroup))
    parser.add_plugin(FuzzyWords())
    parser.add_plugin(qparser.PlusMinusPlugin(minusexpr=r"(?<![^\s(])-"))  # a minus opening a word only
    parser.add_plugin(qparser.FieldAliasPlugin({"authors": ["author"], "section_title": ["section"]}))
    try:
        query = parser.parse(as_typed(text), normalize=False)
    except Exception:  # the parser's own errors carry no common base class: its words are searched instead
        try:
            query = parser.parse(plain_words(text), normalize=False)
        except Exception as err:
            raise QueryError(f"the query cannot be read: {err}") from None
    return count_repeats(query.accept(flat_word_fields)).normalize().accept(in_notes)


def in_notes(query: Query) -> Query:
    """A ``footnote:`` term as the same term in the content of a note (a SamePassage condition)."""
    if getattr(query, "fieldname", None) != FOOTNOTE:
        return query
    if isinstance(query, Every) or (isinstance(query, Wildcard) and not query.text.strip("*")):
        return Term("kind", "footnote")  # footnote:* is every note (Whoosh read every posting for it)
    in_content = query.copy()
    in_content.fieldname = "content"
    return SamePassage([in_content, Term("kind", "footnote")])


def without_function_words(query: Query) -> Query:
    """A long question without its function words ("what", "which", "there"): rare in the text, they
    weighed like subject words. A query of fewer subject words than FEEDBACK_FROM_WORDS is left whole.
    """
    if not isinstance(query, (And, Or)):
        return query
    kept = [q for q in query.subqueries if _word_stem(q) not in FUNCTION_STEMS]
    return query.__class__(kept, boost=query.boost) if len(kept) >= FEEDBACK_FROM_WORDS else query


def _word_stem(query: Query) -> str:
    """The text stem a one-word subquery looks for ('' for a phrase, a wildcard or several words)."""
    stems = {text for field, text in query.all_terms() if field == "content"}
    return next(iter(stems)) if len(stems) == 1 and all(isinstance(q, Term) for q in query.leaves()) else ""


def count_repeats(query: Query) -> Query:
    """A word that a query repeats weighs as many times as it is written (BM25's query term frequency).

    Whoosh keeps a repeated subquery once; a long question repeats its key words ("titles … titles").

    >>> count_repeats(Or([Term("content", "titl"), Term("content", "auto"), Term("content", "titl")]))
    Or([Term('content', 'titl', boost=2.0), Term('content', 'auto')])
    """
    if not isinstance(query, (And, Or)):
        return query
    counts = Counter(count_repeats(q) for q in query.subqueries)
    return query.__class__([q.with_boost(q.boost * n) if n > 1 else q for q, n in counts.items()], boost=query.boost)


def search(index: ArchiveIndex, request: SearchRequest, searcher=None,
           variants: tuple[tuple[str, ...], ...] = (), time_limit: float | None = None) -> SearchResult:
    """Run a request with a searcher (a new one if none is given) and build the result object.

    Documents match as a whole (``indexer.docmatch``); their passages holding the query's words are the
    matches shown. A query of many words that few documents match in full ranks every document holding
    any of them, and the result says so (``match``). Matching stops after ``time_limit`` seconds of work
    (TIME_LIMIT by default), and the result says so (``complete``).
    """
    if searcher is None:
        with index.searcher() as own:
            return search(index, request, own, variants, time_limit)
    started, limit = time.thread_time(), TIME_LIMIT if time_limit is None else time_limit
    deadline = started + limit
    text = request.query.strip()
    expanded, added = expand_variants(text, variants)
    table = index.entry_table(searcher)
    query = without_function_words(parse_query(expanded, index, table.languages))
    matcher = DocumentMatcher(searcher, table, index.field_lengths, deadline, filtered_entries(request, table))
    matched = matcher.match(query)
    words, loose = loosened(query)
    match, with_all = Match("all", words, len(matched.docs)), set(matched.docs) if words else set()
    if loose is not None and len(matched.docs) < FEW_DOCUMENTS:
        most = matcher.match(loose)
        if len(most.docs) > len(matched.docs):
            matched, match = most, Match("most", words, match.documents_with_all)
    late = time.thread_time() > deadline  # matching was cut: the rest of the request stays within bounds
    if request.sort == "relevance" and not late:
        matched = with_feedback(matcher, query, matched, table)
    ranked = _ranked_documents(matched, table, request.sort, with_all)
    kinds = Counter(table.kind_of[n] for n in matched.text)
    result = SearchResult(request, len(matched.text), len(ranked), variants=added, match=match,
                          facets=_facets(ranked, kinds, table.facts), complete=matched.complete)
    result.documents = _highlighted(Results(searcher, query, []), query, _page(ranked, request, matched.text), table.facts,
                                    matcher.shared, started + REQUEST_LIMIT_FACTOR * limit)
    if result.total_documents <= 1 and not late:
        result.suggestion = _suggestion(index, searcher, text)
    return result


def loosened(query: Query) -> tuple[int, Query | None]:
    """How many words a query requires, and the query with any of them enough (None: fewer than MOST_FROM_WORDS).

    Its NOT words stay excluded: a question pasted with "-dash" in it still leaves out "dash".
    """
    if isinstance(query, AndNot):
        words, loose = loosened(query.a)
        return words, None if loose is None else AndNot(loose, query.b)
    if not isinstance(query, And):
        return 0, None
    required = [q for q in query.subqueries if type(q) is not Not]
    excluded = [q for q in query.subqueries if type(q) is Not]
    if len(required) < MOST_FROM_WORDS:
        return len(required), None
    loose = Or([word for q in required for word in _parts_as_words(q)])
    return len(required), And([loose, *excluded]) if excluded else loose


def _parts_as_words(query: Query) -> list[Query]:
    """A part of a query; a joined word (``wing-flutter``: a phrase or one word) as the bare words it joins."""
    if not isinstance(query, Or) or not all(isinstance(q, WordFields) for q in query.subqueries):
        return [query]
    phrases = [q for q in query.subqueries[0].subqueries if type(q) is Phrase]
    if not phrases:
        return [query]
    return [WordFields([Term(p.fieldname, p.words[at], boost=p.boost) for p in phrases])
            for at in range(len(phrases[0].words))]


@dataclass
class RankedDocument:
    """A matching document: its score, the passages found in it, how many of them match, and ``held``."""

    doc_id: str
    score: float
    passages: list[tuple[float, int]]
    matches: int
    held: int = 0  # the most parts of the query one of its passages holds


def _ranked_documents(matched: Matched, table: EntryTable, sort: str, with_all: set[str]) -> list[RankedDocument]:
    """The matching documents in relevance or date (newest first) order, each with its passages.

    A document's score is its evidence plus its best passage's score. Those holding all the query's
    words (``with_all``) come first, and among them those with more of the words in one passage. A
    document no passage of which holds a word (a title word alone) shows its best passage all the
    same, and counts no match.
    """
    by_doc: dict[str, list[tuple[float, int]]] = {}
    documents, doc_of = table.documents, table.doc_of
    for n, score in matched.passages.items():
        if n not in documents:
            by_doc.setdefault(doc_of[n], []).append((score, n))
    held = matched.text
    ranked = []
    for doc_id, evidence in matched.docs.items():
        passages = by_doc.get(doc_id, [])
        counts = [held[n] for _, n in passages if n in held]
        best = max(passages)[0] if passages else 0.0
        ranked.append(RankedDocument(doc_id, evidence + best, passages, len(counts), max(counts, default=0)))
    ranked.sort(key=lambda d: (d.doc_id not in with_all, -d.held if d.doc_id in with_all else 0, -d.score, d.doc_id))
    if sort == "date":
        ranked.sort(key=lambda d: table.facts[d.doc_id].date, reverse=True)
    return ranked


def _shown(document: RankedDocument, held: dict[int, int]) -> list[tuple[float, int]]:
    """A document's passages to show, best first: those holding more of the query's parts, then the better
    scored; its best passage when none holds a word of the query.
    """
    order = sorted(document.passages, key=lambda p: (-held.get(p[1], 0), -p[0], p[1]))
    return [p for p in order if p[1] in held] or order[:1]


def _page(ranked: list[RankedDocument], request: SearchRequest,
          held: dict[int, int]) -> list[tuple[str, list[tuple[float, int]], int]]:
    """The documents of the requested page with the passages to show; within one document, a page of passages."""
    start = (request.page - 1) * request.per_page
    if request.doc_id:
        return [(d.doc_id, _shown(d, held)[start:start + request.per_page], d.matches) for d in ranked]
    return [(d.doc_id, _shown(d, held)[:request.passages], d.matches) for d in ranked[start:start + request.per_page]]


def with_feedback(matcher: DocumentMatcher, query: Query, matched: Matched, table: EntryTable) -> Matched:
    """The matches of a long query ranked also by the key words of its best passages (see ``feedback``)."""
    text = matched.text or {n for n in matched.passages if n not in table.documents}
    best = heapq.nlargest(FEEDBACK_PASSAGES, text, key=matched.passages.__getitem__)
    extra = feedback(query, matcher.searcher, best)
    if extra is None:
        return matched
    # scored apart from the query's own postings, so that snippets mark the query's own words only
    own = matcher.shared
    matcher.shared = Scored(frequencies=own.frequencies)
    try:
        return maybe(matched, matcher.match(extra))
    finally:
        matcher.shared = own


def feedback(query: Query, searcher, best: list[int]) -> Query | None:
    """Optional words that rank a long query's passages: the key words of its best passages (None if none).

    Pseudo-relevance feedback (Whoosh's Bo1 key terms of the top passages): a question of many words
    states its subject loosely, and the passages that match it best name it better. Added with AndMaybe,
    they leave the matched passages those the query matches, and are scored in the fields a typed word is;
    snippets mark the query's own words only.
    """
    words = _text_words(query)
    if words < FEEDBACK_FROM_WORDS or not best:
        return None
    key_words = searcher.key_terms(best, "content", numterms=FEEDBACK_WORDS)
    if not key_words:
        return None
    top = key_words[0][1] or 1.0
    scale = FEEDBACK_WEIGHT * words / FEEDBACK_WORDS
    return Or([in_fields(word, scale * weight / top) for word, weight in key_words])


def in_fields(stem: str, boost: float = 1.0) -> WordFields:
    """A stem of the text looked for in every field that keeps stems, weighted as a typed word is.

    >>> in_fields("treati", 0.5)
    WordFields([Term('content', 'treati'), Term('section_title', 'treati'), Term('title', 'treati')], boost=0.5)
    """
    return WordFields([Term(name, stem, boost=FIELD_WEIGHTS[name]) for name in STEMMED_FIELDS], boost=boost)


def _text_words(query: Query) -> int:
    """How many different words of the text a query looks for."""
    return len({text for field, text in query.all_terms() if field == "content"})


def _highlighted(results, query: Query, page: list, facts: dict[str, DocumentFacts],
                 scored: Scored | None, until: float = float("inf")) -> list[DocumentMatches]:
    """The documents of one page, each with the passages to show highlighted (and only those) while the
    request's CPU time is before ``until``."""
    # pinpoint: snippets from the character positions kept in the index, without re-reading whole sections;
    # Whoosh loads those positions for every hit in top_n, so it holds the hits shown only
    results.top_n = [hit for _, shown, _ in page for hit in shown]
    _record_matched_terms(results, query, scored)
    results.fragmenter = PinpointFragmenter(maxchars=240, surround=70, autotrim=True)
    results.formatter = MarkFormatter(between=" … ", marks=Marks.of(frozenset(), query))
    return [DocumentMatches(facts[doc_id], matches, [_hit(WhooshHit(results, n, score=s), facts[doc_id],
                                                          marked=time.thread_time() < until)
                                                     for s, n in shown])
            for doc_id, shown, matches in page]


def _record_matched_terms(results, query: Query, scored: Scored | None) -> None:
    """Which words of the text each hit in top_n contains (as ``search(terms=True)`` records them), and where.

    Recording them while collecting took half of all search time, for every match; this looks up only
    the hits shown: in the postings scoring read, or (scored by Whoosh's matchers) in the query's words'.
    """
    docnums = sorted(n for _, n in results.top_n)
    results.termdocs, results.docterms = {}, {n: [] for n in docnums}
    # the highlighter's character positions, given here rather than read again by Whoosh
    chars = results._char_cache["content"] = {n: {} for n in docnums}
    found = _scored_values(scored, docnums) if scored else _looked_up_values(results.searcher, query, docnums)
    decode = results.searcher.schema["content"].format.decode_characters
    for word, values in found.items():
        term = ("content", word.encode("utf-8"))
        for docnum in sorted(values):
            results.termdocs.setdefault(term, []).append(docnum)
            results.docterms[docnum].append(term)
            chars[docnum][word] = decode(values[docnum])


def _scored_values(scored: Scored, docnums: list[int]) -> dict[str, dict[int, bytes]]:
    """Each word of the text that scoring read, with its postings' values in those of the entries that have it."""
    found = {text.decode("utf-8"): scored.values((name, text), docnums) for name, text in scored.read
             if name == "content"}
    return {word: values for word, values in found.items() if values}


def _looked_up_values(searcher, query: Query, docnums: list[int]) -> dict[str, dict[int, bytes]]:
    """Each word of the text a query finds, with its postings' values in those of the entries that have it."""
    words = _content_words(query, searcher.reader())
    if len(words) > MANY_WORDS:  # a wildcard's thousands of words: only those the shown passages hold
        words &= {token.text for n in docnums for token in ANALYZER(searcher.stored_fields(n).get("content", ""))}
    found: dict[str, dict[int, bytes]] = {}
    for word in words:
        postings = searcher.postings("content", word)
        for docnum in docnums:
            if postings.is_active() and postings.id() < docnum:
                postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                found.setdefault(word, {})[docnum] = postings.value()
    return found


def filtered_entries(request: SearchRequest, table: EntryTable) -> set[int] | None:
    """The entry numbers a request's filters leave (None when it has none), read from the entry table:
    the document's facts and each entry's kind, so the index holds no field for them per passage."""
    def kept(facts: DocumentFacts) -> bool:
        return ((not request.author or request.author in facts.authors)
                and (not request.publisher or request.publisher == facts.publisher)
                and (not request.year or request.year == facts.year)
                and (not request.language or request.language == facts.language)
                and (not request.doc_id or request.doc_id == facts.doc_id)
                # dates are YYYY, YYYY-MM or YYYY-MM-DD: "~" sorts after them, so "2017~" takes in all of 2017
                and (not (request.date_from or request.date_to) or facts.date != "")
                and (not request.date_from or facts.date >= request.date_from)
                and (not request.date_to or facts.date <= request.date_to + "~"))

    if not request.filters():
        return None
    documents = {doc_id for doc_id, facts in table.facts.items() if kept(facts)}
    return {n for n, doc_id in enumerate(table.doc_of)
            if doc_id in documents and (not request.kind or table.kind_of[n] == request.kind)}


def _facets(ranked: list[RankedDocument], kinds: Counter,
            facts: dict[str, DocumentFacts]) -> dict[str, list[tuple[str, int]]]:
    """Documents per author, publisher, year and language, and matching passages per kind, most first."""
    counts: dict[str, dict[str, int]] = {"author": {}, "publisher": {}, "year": {}, "language": {}}
    for ranked_doc in ranked:
        doc = facts.get(ranked_doc.doc_id)
        if doc is None:
            continue
        for name, values in (("author", doc.authors), ("publisher", (doc.publisher,)), ("year", (doc.year,)),
                             ("language", (doc.language,))):
            for value in filter(None, values):
                counts[name][value] = counts[name].get(value, 0) + 1
    counts["kind"] = {k: kinds[k] for k in KINDS if kinds.get(k)}
    order = {"year": lambda item: item[0]}
    return {name: sorted(c.items(), key=order.get(name, lambda item: (-item[1], item[0])),
                         reverse=name == "year") for name, c in counts.items()}


def _hit(hit: WhooshHit, facts: DocumentFacts, marked: bool = True) -> Hit:
    """A Hit from a Whoosh hit, with its snippet (the opening text if no word is in the content, or unmarked)."""
    stored = hit.fields()
    snippet = (marked and hit.highlights("content", top=3)) or html.escape(stored.get("content", "")[:240], quote=False)
    footnote = stored["kind"] == "footnote"
    return Hit(stored["doc_id"], facts.title, list(facts.authors), facts.date, stored.get("section_id", ""),
               stored.get("section_title", ""), stored["kind"], stored.get("note_number") if footnote else None,
               snippet, hit.score or 0.0, snippet_page(snippet, stored.get("content", ""), stored.get("pages") or []),
               facts.language)


def snippet_page(snippet: str, content: str, pages: list[str]) -> str:
    """The page of the paragraph holding a snippet's first marked word ('' without pages).

    >>> snippet_page("… the <mark>quay</mark> …", "Lamps.\\n\\nThe quay opened.", ["4", "5"])
    '5'
    """
    first = re.search(r"<mark>(.*?)</mark>", snippet)
    if not pages or not first:
        return pages[0] if pages else ""
    at = content.lower().find(html.unescape(first.group(1)).lower())
    return pages[min(content[:max(at, 0)].count("\n\n"), len(pages) - 1)]


def _suggestion(index: ArchiveIndex, searcher, text: str) -> str:
    """The query with each word the archive does not hold replaced by its nearest word ('' when all are known).

    Words are read from the text as typed: a field name, an operator, a wildcard or fuzzy word, and each
    part of a hyphenated word the archive holds are left as they are.
    """
    reader, corrector, schema = searcher.reader(), None, searcher.schema
    pieces, last = [], 0
    for found in SUGGESTABLE.finditer(text):
        word = found.group(0)
        if word in OPERATORS or script_of(word) == "cjk" or _known(reader, schema, word):
            continue  # a CJK word has no neighbours in spelling to suggest
        corrector = corrector or WordCorrector(index, searcher)
        stem = next(iter(ANALYZER(word)), None)
        better = corrector.suggest(stem.text, limit=1) if stem is not None else []
        if better and better[0] != word.lower():
            pieces += [text[last:found.start()], better[0]]
            last = found.end()
    return "".join([*pieces, text[last:]]) if pieces else ""


def _known(reader, schema, word: str) -> bool:
    """Whether a typed word is a stop word or is found in a field a bare word is searched in."""
    in_fields = [(name, text) for name in FIELD_WEIGHTS for text in schema[name].process_text(word, mode="query")]
    if CYRILLIC.match(word):  # found as written too (see ArchiveQueryParser._or_alternatives)
        in_fields += [(name, text) for name in STEMMED_FIELDS
                      for text in schema[name].process_text(word, mode="query", no_morph=True)]
    return not in_fields or any(term in reader for term in in_fields)


class WordCorrector(Corrector):
    """Suggests indexed words for a misspelled one, written as the text writes them, not as stems.

    The index keeps stems only (a separate spelling field cost 40 % of indexing time), so each
    suggested stem is turned back into a word: the first place it occurs, read at its character offsets.
    """

    def __init__(self, index: ArchiveIndex, searcher):
        self.searcher = searcher
        self.vocabulary = index.vocabulary(searcher)

    def _suggestions(self, text, maxdist, prefix):  # the vocabulary always keeps the first letter
        for rank, stem in enumerate(self.vocabulary.nearest(text, self._frequency, maxdist=maxdist)):
            word = self._written_form(stem)
            if word:
                yield -rank, word

    def _frequency(self, stem: str) -> int:
        """How many passages use a stem."""
        return self.searcher.doc_frequency("content", stem)

    def _written_form(self, stem: str) -> str:
        """The word whose stem is ``stem`` as the first passage that contains it writes it."""
        postings = self.searcher.postings("content", stem)
        if not postings.is_active():
            return ""
        _, start, end = postings.value_as("characters")[0]
        return self.searcher.stored_fields(postings.id()).get("content", "")[start:end].lower()


def related_documents(index: ArchiveIndex, searcher, doc_id: str, text: str, top: int = 5) -> list[DocumentFacts]:
    """The documents most like one text (more-like-this: its key terms, searched in the other documents)."""
    keywords = searcher.key_terms_from_text("content", text[:20_000], numterms=10)  # the opening is enough
    if not keywords:
        return []
    query = Or([Term("content", word, boost=weight) for word, weight in keywords])
    mask = index.document_entry_numbers(searcher) | set(searcher.document_numbers(doc_id=doc_id))
    facts = index.document_facts(searcher)
    related = dict.fromkeys(h["doc_id"] for h in searcher.search(query, mask=mask, limit=50) if h["doc_id"] in facts)
    return [facts[i] for i in list(related)[:top]]


def highlight_terms(index: ArchiveIndex, searcher, text: str, variants: tuple[tuple[str, ...], ...] = ()) -> frozenset:
    """The indexed words a query finds in passages, wildcards expanded ('' or a bad query: none), as Marks."""
    try:
        query = parse_query(expand_variants(text.strip(), variants)[0], index,
                            index.entry_table(searcher).languages) if text.strip() else None
    except QueryError:
        return frozenset()
    if query is None:
        return frozenset()
    return Marks.of(_content_words(query, searcher.reader()), query)


def _content_words(query: Query, reader) -> frozenset[str]:
    """The indexed words of the text a query looks for, wildcards and fuzzy words expanded."""
    found = query.existing_terms(reader, phrases=True, expand=True)
    # Whoosh gives expanded terms as bytes and the others as strings
    return frozenset(t.decode("utf-8") if isinstance(t, bytes) else t for f, t in found if f == "content")


def highlight_passage(text: str, terms: frozenset, language: str = "") -> str:
    """The whole text as HTML, escaped, with the words in ``terms`` in ``<mark>``, its words analysed as
    the index analysed them in a document of ``language``.

    >>> highlight_passage("Sanctions & <b>talks</b>", frozenset({"sanction"}))
    '<mark>Sanctions</mark> &amp; &lt;b&gt;talks&lt;/b&gt;'
    """
    own = stemmed_language(language)
    # a dictionary form need not begin its word (Ukrainian "острів" of "островів"): no shortcut for those
    if not terms or (own not in LEMMATISED and not _may_contain(text, terms, 2 if own else 1)):
        return html.escape(text, quote=False)
    analyzer = partial(ANALYZER, language=own) if own else ANALYZER
    marks = terms if isinstance(terms, Marks) else None
    marked = highlight(text, terms, analyzer, WholeFragmenter(), MarkFormatter(marks=marks), top=1, mode="index")
    return marked or html.escape(text, quote=False)


def _may_contain(text: str, stems: frozenset, cut: int = 1) -> bool:
    """False when no word of the text can have one of the stems, checked without analysing the text.

    An English stem is the beginning of its word but for its last letter (sanction, happi), and the
    other Snowball stems but for their last two (``cut``: French "cheval" of "chevaux"), so a text lacking
    that beginning lacks the word: a reader page of 10,000 paragraphs skips the highlighter for
    nearly all of them.

    >>> _may_contain("Ça va, Pérouse", frozenset({"perous"})), _may_contain("Happy", frozenset({"happi"}))
    (True, True)
    >>> _may_contain("Talks", frozenset({"sanction"}))
    False
    """
    folded = folded_text(text)
    return any(stem[:max(1, len(stem) - cut)] in folded for stem in stems)


def plain_snippet(snippet: str) -> str:
    """A snippet for a terminal: matches in [brackets], no markup.

    >>> plain_snippet("a <mark>Pérouse</mark> &amp; b")
    'a [Pérouse] & b'
    """
    return html.unescape(re.sub(r"</?mark>", lambda m: "]" if m.group(0) == "</mark>" else "[", snippet))
