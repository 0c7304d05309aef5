"""Markdown sources: YAML front matter for metadata, then Markdown rendered to HTML and read as HTML."""
from __future__ import annotations

import datetime
import re

import markdown
import yaml

from archive.model import Metadata

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
KEY_ALIASES = {"author": "authors", "lang": "language", "summary": "abstract", "description": "abstract",
               "institution": "publisher", "issue": "number", "link": "url", "journal": "container_title",
               "book": "container_title"}


ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class FrontMatterError(ValueError):
    """Front matter (or a sidecar) that is not valid YAML, not a mapping, or states a field wrongly."""


def split_front_matter(text: str) -> tuple[dict, str]:
    """The front matter as a dict and the Markdown after it.

    >>> split_front_matter("---\\ntitle: A Paper\\nauthor: [Ann Lee, Bo Li]\\n---\\n# Body")
    ({'title': 'A Paper', 'author': ['Ann Lee', 'Bo Li']}, '# Body')
    """
    found = FRONT_MATTER.match(text)
    if not found:
        return {}, text
    try:
        data = yaml.safe_load(found.group("yaml"))
    except yaml.YAMLError as err:
        raise FrontMatterError(f"front matter is not valid YAML: {str(err).splitlines()[0]}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a mapping of fields (key: value)")
    return data, text[found.end():]


def metadata_from_mapping(data: dict) -> Metadata:
    """A Metadata value from front matter or a sidecar file; unknown keys are ignored.

    >>> metadata_from_mapping({"author": "Ann Lee", "date": datetime.date(2020, 5, 1), "number": 7}).authors
    ('Ann Lee',)
    """
    known = set(Metadata.__dataclass_fields__)
    values = {}
    for key, value in data.items():
        name = KEY_ALIASES.get(str(key).lower(), str(key).lower())
        if name not in known or value in (None, ""):
            continue
        if name == "authors":  # white space folded: a newline in a field forged lines in the ingest report
            value = tuple(" ".join(str(v).split()) for v in (value if isinstance(value, list) else [value]))
        elif isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()[:10]
        else:
            value = " ".join(str(value).split())
        if name == "date" and not is_date(value):
            raise FrontMatterError(f"the date {value[:40]!r} is not a date written YYYY, YYYY-MM or YYYY-MM-DD")
        values[name] = value
    return Metadata(**values)


def is_date(text: str) -> bool:
    """Whether a text is a real date written YYYY, YYYY-MM or YYYY-MM-DD.

    >>> [is_date(t) for t in ("2017", "2017-02", "2017-02-28", "2017-02-30", "99999-12-31", "[2020]")]
    [True, True, True, False, False, False]
    """
    if not ISO_DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat((text + "-01-01")[:10])
    except ValueError:
        return False
    return True


def markdown_to_html(text: str) -> str:
    """Markdown with footnotes, tables and fenced code rendered to HTML."""
    return markdown.markdown(text, extensions=["footnotes", "tables", "fenced_code", "sane_lists"])
