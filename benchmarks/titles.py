"""Title labels for the web pages of ../shared/devsets/web, made from each page's own statements.

A page states its title in up to four independent places: its meta tags (``og:title``,
``twitter:title``, ``citation_title``, ``dc.title``: one place, as one CMS field often fills them
all), its JSON-LD article's ``headline``, its visible ``<h1>``, and its ``<title>``. The label is a
title that two of these places agree on (``<title>`` agrees when the title is one of the pieces
its separators part it into, or the whole of it when it has none, so a site's name never enters a
label with it); a page whose places do not agree gets no label and is left out. ``title_key``
compares titles as a reader would: case, quotes, dashes and spacing aside. The JSON-LD headlines and
the comparison are read as the archive reads them (``indexer.htmlmeta``); the label's rule is its own.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from indexer import htmlmeta

META_TITLES = ("og:title", "twitter:title", "citation_title", "dc.title")
SEPARATOR = re.compile(r"\s+[|–—·•:»«-]\s+|\s+::\s+|\s*\|\s*")


def title_key(title: str) -> str:
    """A title as it is compared: NFKC, then as the archive compares titles (case, quotes, dashes,
    spacing and end stops aside).

    >>> title_key(" “Harbour”  Reopens — Again. ") == title_key('"harbour" reopens - again')
    True
    """
    return htmlmeta.title_key(unicodedata.normalize("NFKC", title))


def stated_titles(root) -> dict[str, list[str]]:
    """The titles each place states (``meta``, ``json-ld``, ``h1``, ``title``), in an lxml tree of the page."""
    def text(element) -> str:
        return " ".join(" ".join(element.itertext()).split())

    meta = [" ".join((tag.get("content") or "").split()) for tag in root.iter("meta")
            if (tag.get("property") or tag.get("name") or "").lower() in META_TITLES]
    title = next(root.iter("title"), None)
    return {"meta": [t for t in meta if t], "json-ld": htmlmeta.ld_values(root, "headline"), "h1": [t for t in map(text, root.iter("h1")) if t],
            "title": [text(title)] if title is not None and text(title) else []}


def title_label(stated: dict[str, list[str]]) -> str | None:
    """The title two places agree on, else None; where several are, the one most places state, then
    the one the ``<h1>`` states (what a reader sees), then the longest.

    >>> title_label({"meta": ["Harbour reopens"], "json-ld": [], "h1": ["Harbour Reopens"], "title": ["News | Site"]})
    'Harbour reopens'
    >>> title_label({"meta": ["Harbour reopens | Site"], "json-ld": [], "h1": ["Menu"], "title": ["Harbour reopens | Site"]}) is None
    True
    >>> title_label({"meta": [], "json-ld": [], "h1": ["Harbour reopens"], "title": ["Harbour reopens | The Coast Times"]})
    'Harbour reopens'
    >>> title_label({"meta": ["Harbour reopens | Times"], "json-ld": ["Harbour reopens | Times"], "h1": ["Harbour reopens"],
    ...              "title": ["Harbour reopens | Times"]})
    'Harbour reopens'
    """
    support: Counter = Counter()
    written: dict[str, str] = {}
    for place, titles in stated.items():
        keys = set()
        for title in titles:
            pieces = SEPARATOR.split(title) if place == "title" else [title]
            for piece in pieces:
                if title_key(piece):
                    keys.add(title_key(piece))
                    written.setdefault(title_key(piece), piece.strip())
        support.update(keys)
    agreed = [key for key, places in support.items() if places >= 2]
    seen = {title_key(title) for title in stated.get("h1", [])}
    return written[max(agreed, key=lambda key: (support[key], key in seen, len(key)))] if agreed else None
