"""Metadata an HTML page states about itself: <meta> tags, JSON-LD, the canonical link, <h1> and <title>.

Each field is taken from the first source that states it, best source first; nothing is invented.
The title is the one the page's places agree on (``agreed_title``), as a reader would take it, or
its ``citation_title`` where that adds a subtitle to it (``fuller_title``).
"""
from __future__ import annotations

import json
import re
from typing import Iterator

from lxml.etree import _Element as Element

from archive.model import Metadata
from indexer.dates import date_or_year
from indexer.metadata import clean_author

META_NAMES = {
    "title": ["citation_title", "dc.title", "og:title", "twitter:title"],
    "authors": ["citation_author", "dc.creator", "author", "article:author", "parsely-author", "sailthru.author"],
    "date": ["citation_publication_date", "citation_date", "article:published_time", "dc.date", "dcterms.date",
             "date", "pubdate", "publishdate"],
    "publisher": ["citation_publisher", "citation_technical_report_institution", "citation_dissertation_institution",
                  "dc.publisher", "og:site_name"],
    "container_title": ["citation_journal_title", "citation_inbook_title", "citation_book_title",
                        "citation_conference_title", "prism.publicationname"],
    "number": ["citation_technical_report_number"],
    "volume": ["citation_volume", "prism.volume"],
    "issue": ["citation_issue", "prism.number"],
    "first_page": ["citation_firstpage", "prism.startingpage"],
    "last_page": ["citation_lastpage", "prism.endingpage"],
    "doi": ["citation_doi", "prism.doi", "dc.identifier"],
    "issn": ["citation_issn", "prism.issn", "prism.eissn"],
    "isbn": ["citation_isbn"],
    "url": ["citation_public_url", "og:url"],
    "abstract": ["citation_abstract", "dc.description", "description", "og:description"],
    "language": ["citation_language", "dc.language"],
}
# the item type a Highwire tag implies, most telling first; and a JSON-LD @type's
TYPED_BY_TAG = [("citation_dissertation_institution", "thesis"), ("citation_technical_report_institution", "report"),
                ("citation_technical_report_number", "report"), ("citation_inbook_title", "chapter"),
                ("citation_book_title", "chapter"), ("citation_conference_title", "paper-conference"),
                ("citation_journal_title", "article-journal")]
LD_TYPES = {"scholarlyarticle": "article-journal", "newsarticle": "article-newspaper", "report": "report",
            "chapter": "chapter", "book": "book", "thesis": "thesis", "blogposting": "post-weblog"}
DOI = re.compile(r"\b(10\.\d{4,9}/\S+)")
TITLE_SEPARATOR = re.compile(r"\s+[|\-–—:·»/•]\s+|\s*\|\s*")
QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-"})
ARTICLE_TYPES = re.compile(r"article|posting|report|book|chapter|creativework|webpage|blog", re.I)


def head_metadata(root: Element) -> Metadata:
    """Title, authors, date, publisher, language and URL from the page's own statements."""
    metas = _meta_tags(root)
    ld = json_ld(root)

    def first(field: str) -> str:
        return next((metas[n][0] for n in META_NAMES[field] if metas.get(n)), "")

    authors = next((metas[n] for n in META_NAMES["authors"] if metas.get(n)), []) or ld.get("authors", [])
    time = next(root.iter("time"), None)
    date = first("date") or ld.get("date", "") or (time.get("datetime") or "" if time is not None else "")
    canonical = next((link.get("href", "") for link in root.iter("link")
                      if "canonical" in (link.get("rel") or "").lower().split()), "")
    container = first("container_title")
    stated = {"meta": [metas[n][0] for n in META_NAMES["title"] if metas.get(n)],
              "json-ld": ld_values(root, "headline") or [ld.get("title", "")],
              "h1": _h1_texts(root), "title": [_title_text(root)]}
    agreed = fuller_title(agreed_title(stated, first("publisher")), next(iter(metas.get("citation_title", [])), ""))
    title = agreed or first("title") or ld.get("title", "") or page_title(root)
    return Metadata(
        title=title, date=date_or_year(date),
        authors=tuple(dict.fromkeys(filter(None, map(clean_author, authors)))),
        publisher=not_container(first("publisher") or ld.get("publisher", ""), container),
        container_title=container, number=first("number"), isbn=first("isbn"), url=first("url") or canonical,
        abstract=first("abstract"), language=(first("language") or root.get("lang") or "")[:2].lower(),
        kind=next((kind for name, kind in TYPED_BY_TAG if metas.get(name)), "") or ld.get("kind", ""),
        volume=first("volume"), issue=first("issue"), pages=page_range(first("first_page"), first("last_page")),
        doi=doi_of(" ".join(v for n in META_NAMES["doi"] for v in metas.get(n, []))), issn=first("issn"),
    )


def not_container(publisher: str, container: str) -> str:
    """A publisher, unless it is the journal's or book's own title (a site named after its journal).

    >>> not_container("Journal of Northern Studies", "Journal of Northern Studies"), not_container("Ifri", "")
    ('', 'Ifri')
    """
    return "" if container and publisher.casefold() == container.casefold() else publisher


def page_range(first: str, last: str) -> str:
    """A work's pages: "45-67", or the first page alone.

    >>> page_range("45", "67"), page_range("45", ""), page_range("", "")
    ('45-67', '45', '')
    """
    return f"{first}-{last}" if first and last and last != first else first


def doi_of(text: str) -> str:
    """The first DOI in a text ("doi:10.1000/x", a doi.org link or the DOI alone), else ''.

    >>> doi_of("https://doi.org/10.1234/ns.2014.12"), doi_of("ISBN 978-1")
    ('10.1234/ns.2014.12', '')
    """
    found = DOI.search(text)
    return found.group(1).rstrip(".,;") if found else ""


def highwire_authors(root: Element) -> tuple[str, ...]:
    """The people of a page's ``citation_author`` tags, one a tag as written ("Tanaka, Hiroshi" is one).

    >>> from lxml import etree
    >>> page = '<head><meta name="citation_author" content="Tanaka, Hiroshi"><meta name="citation_author" content="Ann Lee">'
    >>> highwire_authors(etree.fromstring(page + "</head>", etree.HTMLParser()))
    ('Tanaka, Hiroshi', 'Ann Lee')
    """
    return tuple(dict.fromkeys(filter(None, map(clean_author, _meta_tags(root).get("citation_author", [])))))


def _meta_tags(root: Element) -> dict[str, list[str]]:
    """Every <meta name|property=… content=…>, by lower-cased name, values in page order."""
    metas: dict[str, list[str]] = {}
    for tag in root.iter("meta"):
        name = (tag.get("name") or tag.get("property") or "").lower()
        if name and tag.get("content"):
            metas.setdefault(name, []).append(" ".join(tag.get("content").split()))
    return metas


def page_title(root: Element) -> str:
    """The page's one <h1>, else its <title> without the site's name."""
    headings = _h1_texts(root)
    if len(headings) == 1:
        return headings[0]
    return cut_site_name(_title_text(root), headings)


def _h1_texts(root: Element) -> list[str]:
    """The text of each of the page's <h1> headings."""
    return [text for text in (" ".join(" ".join(h.itertext()).split()) for h in root.iter("h1")) if text]


def _title_text(root: Element) -> str:
    """The page's <title>, on one line."""
    title = next(root.iter("title"), None)
    return " ".join(" ".join(title.itertext()).split()) if title is not None else ""


def agreed_title(stated: dict[str, list[str]], site: str = "") -> str:
    """The title two of a page's places state (its meta tags, JSON-LD, <h1>, <title>), or ''.

    <title> counts by its longest piece and by itself without its last piece (the site's name, most
    often), whichever are no shorter than its longest piece (a kicker or a site's name before the
    headline is no title); where no two places agree so, a meta
    or JSON-LD title counts with its site's name cut too. The site's own name is never the title.
    Where several agree: the one most places state, then the one its <h1> states (what a reader
    sees), then the longest.

    >>> agreed_title({"meta": ["Harbour reopens - Coast Times"], "json-ld": [""], "h1": ["Menu", "Harbour reopens"],
    ...               "title": ["Harbour reopens | Coast Times"]}, "Coast Times")
    'Harbour reopens'
    >>> agreed_title({"meta": ["Japan - Russia talks"], "json-ld": ["Japan - Russia talks"], "h1": [],
    ...               "title": ["Japan - Russia talks | Coast Times"]})
    'Japan - Russia talks'
    >>> agreed_title({"meta": ["Harbour reopens - Coast Times"], "json-ld": [], "h1": [], "title": ["Harbour reopens"]})
    'Harbour reopens'
    >>> agreed_title({"meta": ["Harbour reopens"], "json-ld": [], "h1": ["Our news"], "title": ["Coast Times"]})
    ''
    """
    seen, site_key = {title_key(t) for t in stated.get("h1", [])}, title_key(site)
    for cut in (False, True):
        support: dict[str, set[str]] = {}
        written: dict[str, str] = {}
        for place, titles in stated.items():
            for title in filter(None, titles):
                pieces = _title_pieces(title) if place == "title" else [title]
                if cut and place in ("meta", "json-ld"):
                    pieces.append(cut_site_name(title))
                for piece in pieces:
                    key = title_key(piece)
                    if key and key != site_key:
                        support.setdefault(key, set()).add(place)
                        written.setdefault(key, piece.strip())
        agreed = [key for key, places in support.items() if len(places) >= 2]
        if agreed:
            return written[max(agreed, key=lambda key: (len(support[key]), key in seen, len(key)))]
    return ""


def fuller_title(agreed: str, scholarly: str) -> str:
    """The agreed title, or a scholarly page's citation_title where it adds a subtitle to it (an
    <h1> often gives the short title); one that adds a site's name after a separator does not win.

    >>> fuller_title("Tides and Trade", "Tides and Trade: The Northern Ports, 1850-1900")
    'Tides and Trade: The Northern Ports, 1850-1900'
    >>> fuller_title("Lake pike", "Lake pike | fishing.example | Your Fishing Magazine"), fuller_title("", "Ports")
    ('Lake pike', '')
    """
    if agreed and scholarly != agreed and title_key(scholarly).startswith(title_key(agreed)) \
            and not TITLE_SEPARATOR.match(scholarly[len(agreed):]):
        return scholarly
    return agreed


def _title_pieces(title: str) -> list[str]:
    """The titles a <title> may hold: itself without its last piece, and its longest piece, each no
    shorter than that longest piece.

    >>> _title_pieces("Harbour reopens | Coast Times"), _title_pieces("BMAS - New rules for harbour pilots")
    (['Harbour reopens', 'Harbour reopens'], ['New rules for harbour pilots'])
    """
    pieces = TITLE_SEPARATOR.split(title)
    longest = max(pieces, key=len)
    return [piece for piece in (cut_site_name(title), longest) if len(piece) >= len(longest)]


def title_key(title: str) -> str:
    """A title as titles are compared: case, quotes, dashes and spacing aside."""
    text = title.translate(QUOTES).casefold()
    return " ".join(text.split()).strip(" .:;,!")


def cut_site_name(title: str, headings: list[str] = ()) -> str:
    """A <title> without the site's name after the last separator; a piece that a heading repeats wins.

    >>> cut_site_name("Kconfig Language — The Linux Kernel documentation")
    'Kconfig Language'
    >>> cut_site_name("News | Quiet harbour reopens after ten years", ["Quiet harbour reopens after ten years"])
    'Quiet harbour reopens after ten years'
    >>> cut_site_name("Tide tables: how they are made")
    'Tide tables: how they are made'
    """
    pieces = TITLE_SEPARATOR.split(title)
    if len(pieces) < 2:
        return title
    for heading in headings:
        if heading in pieces:
            return heading
    # "Article title | Site" is the common order; the site's name is the last piece
    return title[:list(TITLE_SEPARATOR.finditer(title))[-1].start()].strip()


def ld_values(root: Element, name: str) -> list[str]:
    """Each text value of ``name`` in the page's JSON-LD objects, nested ones and lists searched."""
    found, stack = [], list(_ld_data(root))
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found += [_string(item.get(name))] if _string(item.get(name)) else []
            stack += [value for value in item.values() if isinstance(value, (dict, list))]
        elif isinstance(item, list):
            stack += item
    return found


def _ld_data(root: Element) -> Iterator:
    """The parsed value of each of the page's JSON-LD scripts (those that parse)."""
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            yield json.loads(script.text)
        except ValueError:
            continue


def json_ld(root: Element) -> dict:
    """Title, authors, date and publisher from the page's JSON-LD article object, if any."""
    for data in _ld_data(root):
        item = _article_object(data)
        if item:
            return {"title": _string(item.get("headline") or item.get("name")),
                    "authors": _names(item.get("author")), "date": _string(item.get("datePublished")),
                    "publisher": " ".join(_names(item.get("publisher"))[:1]),
                    "kind": next((LD_TYPES[k.lower()] for k in _types(item) if k.lower() in LD_TYPES), "")}
    return {}


def _types(item: dict) -> list[str]:
    """A JSON-LD object's @type names (one or a list; anything that is not text left out)."""
    kind = item.get("@type")
    return [k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]


def _article_object(data) -> dict | None:
    """The first object of an article-like @type in a JSON-LD value (lists and @graph searched)."""
    candidates = data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []
    for item in candidates:
        if isinstance(item, dict) and any(ARTICLE_TYPES.search(k) for k in _types(item)):
            return item
    return None


def _names(value) -> list[str]:
    """Names from a JSON-LD person, organisation, list of them, or string."""
    values = value if isinstance(value, list) else [value]
    names = [_string(v.get("name")) if isinstance(v, dict) else _string(v) for v in values]
    return [n for n in names if n and not n.startswith("http")]


def _string(value) -> str:
    """A JSON-LD value as one line of text ('' for anything that is not text)."""
    return " ".join(value.split()) if isinstance(value, str) else ""
