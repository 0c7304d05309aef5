"""Search: one function behind both ``archive search`` and the web API, returning one result object."""
from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field

from whoosh import qparser
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text
from whoosh.query import And, Query, Term

from archive.errors import ArchiveError
from indexer.index import ArchiveIndex

MAX_QUERY_CHARS = 500
FOOTNOTE_FIELD = re.compile(r"(?<![\w:])footnote:", re.I)


class QueryError(ArchiveError):
    """A query that cannot be run, with the reason."""


@dataclass
class Hit:
    """One matching section, footnote or document, with a highlighted snippet (HTML, only <mark>)."""

    doc_id: str
    title: str
    section_id: str
    section_title: str
    kind: str
    note_number: int | None
    snippet: str
    score: float = 0.0


@dataclass
class SearchResult:
    """The hits of one page and the total number of matching entries."""

    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The JSON shape served by ``archive search --json``."""
        return {"query": self.query, "total": self.total, "page": self.page, "limit": self.limit,
                "hits": [{k: v for k, v in asdict(h).items() if k != "score"} for h in self.hits]}


class MarkFormatter(HtmlFormatter):
    """Whoosh's HTML formatter (it escapes the text around matches) with a bare ``<mark>`` per match."""

    def format_token(self, text, token, replace=False):
        return f"<mark>{html.escape(get_text(text, token, replace), quote=False)}</mark>"


def parse_query(text: str, index: ArchiveIndex) -> Query:
    """Parse the query language: words (all must match), "phrases", OR, NOT/-word, field:value, word*, word~."""
    text = (text or "").strip()
    if not text:
        raise QueryError("the query is empty: type one or more words")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}")
    only_notes = bool(FOOTNOTE_FIELD.search(text))
    parser = qparser.MultifieldParser(["content", "section_title"], index.ix.schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.add_plugin(qparser.FieldAliasPlugin({"authors": ["author"], "section_title": ["section"]}))
    try:
        query = parser.parse(FOOTNOTE_FIELD.sub("content:", text))
    except Exception as err:  # the parser's own errors carry no common base class
        raise QueryError(f"the query cannot be read: {err}") from None
    return And([query, Term("kind", "footnote")]) if only_notes else query


def search(index: ArchiveIndex, text: str, limit: int = 10, page: int = 1) -> SearchResult:
    """Run a query and return one page of hits with snippets; only the shown hits are highlighted."""
    if limit < 1 or page < 1:
        raise QueryError("limit and page must be positive whole numbers")
    query = parse_query(text, index)
    with index.searcher() as searcher:
        results = searcher.search_page(query, page, pagelen=limit, terms=True)
        results.results.fragmenter = ContextFragmenter(maxchars=240, surround=70)
        results.results.formatter = MarkFormatter(between=" … ")
        hits = [_hit(h) for h in results]
        return SearchResult(text.strip(), results.total, page, limit, hits)


def _hit(hit) -> Hit:
    """A Hit from a Whoosh hit, with its snippet (the opening text if no word is in the content)."""
    fields = hit.fields()
    snippet = hit.highlights("content", top=3) or html.escape(fields.get("content", "")[:240])
    number = fields.get("note_number")
    return Hit(fields["doc_id"], fields.get("title", ""), fields.get("section_id", ""),
               fields.get("section_title", ""), fields["kind"], number if fields["kind"] == "footnote" else None,
               snippet, hit.score)


def plain_snippet(snippet: str) -> str:
    """A snippet for a terminal: matches in [brackets], no markup.

    >>> plain_snippet("a <mark>Pérouse</mark> &amp; b")
    'a [Pérouse] & b'
    """
    return html.unescape(re.sub(r"</?mark>", lambda m: "]" if m.group(0) == "</mark>" else "[", snippet))
