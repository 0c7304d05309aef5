"""The Whoosh schema and its version: an index built with another version is rebuilt, never misread."""
from __future__ import annotations

import json
from pathlib import Path

from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema
from whoosh.support.charset import accent_map

SCHEMA_VERSION = 4
VERSION_FILE = "schema_version.json"


def text_analyzer():
    """English stemming with accents folded: "Perouse" finds "Pérouse", "sanction" finds "sanctions"."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map) | StopFilter() | StemFilter()


def name_analyzer():
    """Names: lower case and accents folded, no stemming."""
    return RegexTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


def build_schema() -> Schema:
    """One entry per section, per footnote and per document (kind = body, footnote, document)."""
    return Schema(
        entry_id=ID(unique=True, stored=True),
        doc_id=ID(stored=True),
        kind=ID(stored=True),
        section_id=ID(stored=True),
        section_title=TEXT(analyzer=text_analyzer(), stored=True),
        note_number=NUMERIC(stored=True),
        content=TEXT(analyzer=text_analyzer(), stored=True, phrase=True, chars=True),
        title=TEXT(analyzer=text_analyzer(), stored=True),
        authors=TEXT(analyzer=name_analyzer()),
        author_facet=KEYWORD(stored=True, commas=True, lowercase=False),
        publisher=TEXT(analyzer=name_analyzer(), stored=True),
        publisher_facet=ID(),
        year=ID(stored=True, sortable=True),
        date=ID(stored=True, sortable=True),
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
