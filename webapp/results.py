"""One search result object per request, built from the query string; pages and the API render it."""
from __future__ import annotations

from urllib.parse import quote

from flask import g
from werkzeug.datastructures import MultiDict

from indexer.search import Hit, QueryError, SearchRequest, SearchResult, search
from webapp.access import get_index, get_searcher, get_variants, link

ANCHOR_SAFE = "%!#$&'()*+,/:;=?@"  # what url_for leaves unquoted in an anchor
FILTER_PARAMS = ("author", "publisher", "year", "kind", "language", "date_from", "date_to", "doc_id")


def whole_number(args: MultiDict, name: str, default: int) -> int:
    """A whole-number parameter, or QueryError naming it."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise QueryError(f"{name} must be a whole number, not {raw[:40]!r}", name)
    return int(raw)


def search_request(args: MultiDict) -> SearchRequest:
    """The search a query string asks for; QueryError names the parameter that cannot be used."""
    filters = {name: args.get(name, "").strip() for name in FILTER_PARAMS}
    return SearchRequest(args.get("q", ""), **filters, sort=args.get("sort", "relevance") or "relevance",
                         page=whole_number(args, "page", 1), per_page=whole_number(args, "per_page", 10))


def run_search(args: MultiDict) -> SearchResult:
    """Run the search a query string asks for, with this request's searcher and the archive's variants;
    a page past the last is a QueryError naming the last."""
    request = search_request(args)
    result = search(get_index(), request, get_searcher(), get_variants())
    if request.page > 1 and request.page > result.pages:
        raise QueryError(f"page {request.page} is past the last page of these results ({result.pages})", "page")
    return result


def hit_url(hit: Hit, query: str) -> str:
    """The reader at the hit's passage, with the query's words highlighted.

    Built once per document and query in a request (url_for was a twentieth of a search's time), the
    anchor quoted as url_for quotes it.
    """
    readers = g.setdefault("reader_urls", {})
    if (hit.doc_id, query) not in readers:
        readers[hit.doc_id, query] = link("reader.document", doc_id=hit.doc_id, q=query)
    return f"{readers[hit.doc_id, query]}#{quote(hit.anchor, safe=ANCHOR_SAFE)}"


def result_json(result: SearchResult) -> dict:
    """The API shape: the result object with each hit's reader URL."""
    payload = result.to_dict()
    for item, hit in zip(payload["hits"], result.hits):
        item["url"] = hit_url(hit, payload["query"])
    return payload
