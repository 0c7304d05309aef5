"""Markdown sources: YAML front matter for metadata, then Markdown rendered to HTML and read as HTML."""
from __future__ import annotations

import datetime
import re

import markdown
import yaml

from archive.citation import ITEM_TYPES
from archive.model import Metadata

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
KEY_ALIASES = {"author": "authors", "lang": "language", "summary": "abstract", "description": "abstract",
               "institution": "publisher", "link": "url", "journal": "container_title",
               "book": "container_title", "type": "kind", "page": "pages"}


ISO_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
# Python-Markdown's time grows as the cube of list nesting (3,000 levels took minutes), and it loses a
# quote nested thousands deep; no real document nests either past this
MAX_NESTING = 16
MAX_INDENT = 4 * MAX_NESTING  # columns: a level of a list is two to four
DEEP_INDENT = re.compile(r"^[ \t]{%d,}" % (MAX_INDENT // 4 + 1), re.M)  # a tab may be four columns
DEEP_QUOTE = re.compile(r"^(?:[ ]{0,3}>){%d,}" % (MAX_NESTING + 1), re.M)
MAX_YAML_VALUES = 10_000  # front matter holds tens


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
        data = load_yaml(found.group("yaml"))
    except yaml.YAMLError as err:
        raise FrontMatterError(f"front matter is not valid YAML: {str(err).splitlines()[0]}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a mapping of fields (key: value)")
    return data, text[found.end():]


class BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing nesting past MAX_NESTING and more than MAX_YAML_VALUES values
    once aliases are expanded (nine lists of nine aliases, ten deep, are 9**10 values to any reader)."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise yaml.YAMLError(f"nested more than {MAX_NESTING} deep")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_document(self):
        node = super().compose_document()
        if _expanded_size(node, {}) > MAX_YAML_VALUES:
            raise yaml.YAMLError(f"more than {MAX_YAML_VALUES:,} values once its aliases (*name) are expanded")
        return node


def _expanded_size(node, sizes: dict[int, int]) -> int:
    """How many values a YAML node stands for with every alias expanded (each node counted once, by id)."""
    if id(node) not in sizes:
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            children = node.value if isinstance(node, yaml.SequenceNode) else []
        sizes[id(node)] = 1 + sum(_expanded_size(child, sizes) for child in children)
    return sizes[id(node)]


def load_yaml(text: str):
    """YAML read safely and within bounds (BoundedLoader); a YAMLError says what is wrong.

    >>> load_yaml("a: &x [1, 2]\\nb: *x")
    {'a': [1, 2], 'b': [1, 2]}
    """
    return yaml.load(text, Loader=BoundedLoader)  # noqa: S506 -- a SafeLoader


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
        if name == "kind" and value not in ITEM_TYPES:
            raise FrontMatterError(f"the type {value[:40]!r} is not a CSL item type (such as article-journal, "
                                   "report, chapter, book, thesis, webpage)")
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
    return markdown.markdown(bounded_nesting(text), extensions=["footnotes", "tables", "fenced_code", "sane_lists"])


def bounded_nesting(text: str) -> str:
    """Markdown whose lines are quoted at most MAX_NESTING deep and indented at most MAX_INDENT columns.

    >>> bounded_nesting(">" * 40 + " deep").count(">"), len(bounded_nesting("\\t" * 30 + "- deep")) - len("- deep")
    (16, 64)
    """
    text = DEEP_INDENT.sub(lambda m: m.group(0).expandtabs(4)[:MAX_INDENT], text)
    return DEEP_QUOTE.sub(">" * MAX_NESTING, text)
