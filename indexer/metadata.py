"""Metadata from the text itself: each rule reads some blocks, records what they say, and removes them.

Never invent: a field the text does not state stays empty.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.blocks import Block
from indexer.dates import date_or_year, is_date_line, parse_date
from indexer.clean import NUMBERED as NUMBERED_HEADING

PARTICLES = {"de", "du", "des", "van", "von", "der", "den", "da", "di", "la", "le", "bin", "al", "y", "ter", "dos"}
NOT_NAMES = {"the", "a", "an", "table", "contents", "summary", "abstract", "introduction", "conclusion",
             "author", "authors", "notes", "references", "chapter", "part", "policy", "foreword", "preface"}
ROLE_WORDS = re.compile(r"\b(?:director|professor|fellow|editor|researcher|analyst|associate|lecturer|"
                        r"correspondent|chair|head|senior|president|scholar|reporter|writer|member)\b", re.I)
BYLINE = re.compile(r"^by\s+(?P<names>.+?)(?:\s+(?:for|in|at|\|)\s+(?P<org>[^,]+?))?\s*$", re.I)
ISSUE_LINE = re.compile(r"^(?:vol(?:ume)?\.?\s*\d+\s*,?\s*)?(?:no\.?|number|issue|n°)\s*(?P<number>\d+)\b(?P<rest>.*)$", re.I)
ISBN = re.compile(r"\bISBN(?:-1[03])?\s*:?\s*(?P<isbn>[0-9][0-9\- ]{8,15}[0-9Xx])\b")
COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)", re.I)
TRANSLATOR = re.compile(r"^translated (?:from [\w ]+? )?(?:into \w+ )?by (?P<name>[^.]+)\.?$", re.I)
QUOTE_HEADING = re.compile(r"^(?:how to (?:quote|cite)(?: this \w+)?|suggested citation|cite as|please cite(?: as)?)\s*:?\s*", re.I)
EDITORS_NOTE = re.compile(r"^editor[’']?s[’']? note\s*:?\s*", re.I)
PROVENANCE = re.compile(r"^this (?:is|was) (?:a|an) (?:chapter|excerpt|extract|article|paper|report)\b|"
                        r"\b(?:originally|first) (?:published|appeared)\b", re.I)
ABSTRACT_HEADING = re.compile(r"^(?:abstract|summary|executive summary|résumé)\s*:?\s*$", re.I)
BIO_VERB = re.compile(r"^\W*(?:is|was|has|holds|teaches|serves|works|writes|leads|directs)\b", re.I)
PRODUCER_TITLE = re.compile(r"^(?:microsoft word|untitled|document\d*)\b|\.(?:docx?|pdf|tex|dvi)$", re.I)
BY_PREFIX = re.compile(r"^(?:(?:(?:posted|written|published|post author) )?by|von|vom|par|por|publicado por"
                       r"|author|autor|auteur)\s*:?\s+", re.I)
QUOTED = re.compile(r"[“\"]([^”\"]+)[”\"]")


@dataclass
class Found:
    """Metadata fields read so far and the parts taken out of the body."""

    fields: dict[str, str] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    parts: dict[str, list[str]] = field(default_factory=dict)

    def set(self, name: str, value: str) -> None:
        """Record a field unless an earlier, stronger rule already did."""
        if value and not self.fields.get(name):
            self.fields[name] = value.strip()

    def add_part(self, name: str, text: str) -> None:
        """Keep a paragraph that belongs to the document but not to its body."""
        self.parts.setdefault(name, []).append(text)


def normalise_name(name: str) -> str:
    """A person's name with capitalised surnames turned to ordinary case.

    >>> normalise_name("Céline  PAJON"), normalise_name("J. D. J. Brown")
    ('Céline Pajon', 'J. D. J. Brown')
    """
    tokens = name.split()
    if len(tokens) > 1:  # a one-word name (an organisation: "NHK", "Reuters") is kept as written
        tokens = [t.title() if t.isupper() and len(t.rstrip(".")) > 1 else t for t in tokens]
    return " ".join(tokens).strip(" ,;")


def producer_title(title: str) -> bool:
    """True for a title a program wrote in place of one ("Microsoft Word - draft3.docx", "Untitled").

    >>> [producer_title(t) for t in ("Microsoft Word - draft3.docx", "report.pdf", "Harbour works")]
    [True, True, False]
    """
    return bool(PRODUCER_TITLE.search(title))


def clean_author(name: str) -> str:
    """An author as a page states it, without "By", a trailing full stop, a URL or a date ('' if nothing is left).

    >>> [clean_author(n) for n in ("By Adam Smith.", "https://example.org/u/1", "NHK", "March 3, 2020", "Ann Lee Jr.")]
    ['Adam Smith', '', 'NHK', '', 'Ann Lee Jr.']
    >>> [clean_author(n) for n in ("Posted by Ann Lee", "Author: Tom Reed", "Von Eva Maier")]
    ['Ann Lee', 'Tom Reed', 'Eva Maier']
    """
    name = " ".join(name.split())
    if not name or re.match(r"(?:https?://|www\.)", name) or "@" in name or is_date_line(name) or name.isdigit():
        return ""
    name = normalise_name(BY_PREFIX.sub("", name))
    if name.endswith(".") and not re.search(r"(?:\b\w|\bJr|\bSr)\.$", name):
        name = name[:-1]
    return name.strip(" ,;:|")


def looks_like_name(text: str) -> bool:
    """Two to five capitalised words or initials, nothing else.

    >>> [looks_like_name(t) for t in ("Jonathan Berkshire Miller", "Céline PAJON", "Table of Contents", "The Northern Territories")]
    [True, True, False, False]
    """
    tokens = text.split()
    if not 2 <= len(tokens) <= 5 or len(text) > 50 or re.search(r"[\d:;!?()\"“”]", text):
        return False
    if any(t.lower().strip(".,") in NOT_NAMES for t in tokens):
        return False
    return all(t in PARTICLES or re.fullmatch(r"[^\W\d_]\.|[^\W\d_][\w'’\-]*\.?,?", t) and t[0].isupper()
               for t in tokens)


def split_names(text: str) -> list[str]:
    """Names from a byline list: "A, B and C".

    >>> split_names("Yoko Hirose and Ken JIMBO")
    ['Yoko Hirose', 'Ken Jimbo']
    """
    names = [clean_author(n) for n in re.split(r"\s*(?:,|;|\band\b|&)\s*", text)]
    return [n for n in names if looks_like_name(n) or (2 <= len(n.split()) <= 6 and n[:1].isupper() and ":" not in n)]


def take_global(blocks: list[Block], found: Found) -> list[Block]:
    """Read and remove metadata lines that may stand anywhere: ISBN, copyright, translator, citation advice."""
    kept: list[Block] = []
    skip_next = False
    for i, block in enumerate(blocks):
        text = block.text.strip()
        if skip_next:
            skip_next = False
            continue
        if block.kind not in ("para", "item"):
            kept.append(block)
        elif (isbn := ISBN.search(text)) and block.words <= 12:
            found.set("isbn", re.sub(r"\s", "", isbn.group("isbn")))
        elif COPYRIGHT.match(text) and block.words <= 25:
            _read_copyright(text, found)
            found.add_part("rights", text)  # read, and kept where a reader finds it: not lost from the text
        elif (translator := TRANSLATOR.match(text)) and block.words <= 15:
            found.set("translator", normalise_name(translator.group("name")))
        elif QUOTE_HEADING.match(text) and block.words <= 60:
            advice = QUOTE_HEADING.sub("", text)
            if not advice and i + 1 < len(blocks):
                advice, skip_next = blocks[i + 1].text, True
            read_citation_advice(advice, found)
        else:
            kept.append(block)
    return kept


def _read_copyright(text: str, found: Found) -> None:
    """Publisher and year from "© All rights reserved, Ifri, 2017" and the like."""
    rest = re.sub(r"©|\(c\)|copyright|all rights reserved\.?", "", text, flags=re.I)
    year = date_or_year(rest)
    holder = [p.strip(" .") for p in re.split(r",|\s\d{4}\b", rest) if p.strip(" .") and not p.strip().isdigit()]
    if holder:
        found.set("publisher", holder[0])
    found.set("copyright_year", year[:4])


def read_citation_advice(text: str, found: Found) -> None:
    """Series, number, publisher and date from a recommended citation: Author, “Title”, Series, No. N, Publisher, Date.

    >>> f = Found(); read_citation_advice("A. Bee, “A Title”, Studies, No. 104, Ifri, October 2017.", f); f.fields
    {'title': 'A Title', 'series': 'Studies', 'number': '104', 'publisher': 'Ifri', 'date': '2017-10'}
    """
    title = QUOTED.search(text)
    if title:
        found.set("title", title.group(1).strip(" ,"))
        text = text[title.end():]
    segments = [s.strip(" .") for s in text.split(",") if s.strip(" .")]
    for i, segment in enumerate(segments):
        number = re.fullmatch(r"(?:no\.?|n°|number)\s*(\d+)", segment, re.I)
        if number:
            found.set("series", segments[i - 1] if i else "")
            found.set("number", number.group(1))
            if i + 1 < len(segments) and not parse_date(segments[i + 1]):
                found.set("publisher", segments[i + 1])
    found.set("date", parse_date(text))


def take_head(blocks: list[Block], found: Found, marked_up: bool = False) -> list[Block]:
    """Title, subtitle, authors, date, issue and bylines from the opening blocks; the rest is returned.

    In a source that marks up its text (HTML, Markdown) a short opening line and a paragraph above
    the byline are the body's own text, not a subtitle and a standfirst.
    """
    if not blocks or blocks[0].kind not in ("para", "heading") or blocks[0].words > 30:
        return blocks
    found.set("title", blocks[0].text)
    rest = blocks[1:]
    position = 0
    while position < len(rest) and _take_head_line(rest[position], found, first=position == 0 and not marked_up):
        position += 1
    rest = rest[position:]
    return _take_byline_and_standfirst(rest, found, standfirst=not marked_up)


def _take_head_line(block: Block, found: Found, first: bool) -> bool:
    """Read one opening line if it is a head line (issue, date, name, byline, bio); False otherwise."""
    text = block.text.strip()
    if block.kind not in ("para", "heading"):
        return False
    if (issue := ISSUE_LINE.match(text)) and date_or_year(text):
        found.set("number", issue.group("number"))
        found.set("date", date_or_year(issue.group("rest")))
    elif is_date_line(text):
        found.set("date", parse_date(text) or date_or_year(text))
    elif (byline := BYLINE.match(text)) and block.words <= 20:
        found.authors += split_names(byline.group("names"))
        found.set("publisher", byline.group("org") or "")
    elif looks_like_name(text) and not found.authors:
        found.authors.append(normalise_name(text))
    elif is_bio(text, found.authors):
        found.add_part("about_author", text)
    elif first and block.words <= 20 and not block.ends_sentence() and block.kind == "para" \
            and not NUMBERED_HEADING.match(text):  # "1. Introduction" opens the text, it is no subtitle
        found.set("subtitle", text)
    else:
        return False
    return True


def _take_byline_and_standfirst(blocks: list[Block], found: Found, standfirst: bool = True,
                                reach: int = 8) -> list[Block]:
    """A "By X for Y" byline a few blocks in; a paragraph just before it is the standfirst."""
    for i, block in enumerate(blocks[:reach]):
        byline = BYLINE.match(block.text.strip())
        if byline and block.words <= 20 and split_names(byline.group("names")):
            found.authors += [n for n in split_names(byline.group("names")) if n not in found.authors]
            found.set("publisher", byline.group("org") or "")
            if standfirst and i and blocks[i - 1].kind == "para" and blocks[i - 1].ends_sentence():
                found.set("abstract", blocks[i - 1].text)
                return blocks[:i - 1] + blocks[i + 1:]
            return blocks[:i] + blocks[i + 1:]
    return blocks


def take_provenance(blocks: list[Block], found: Found, reach: int = 8) -> list[Block]:
    """A note such as "This is a chapter of the book “T” published by P in March 2015" near the start."""
    kept = []
    for i, block in enumerate(blocks):
        text = block.text
        if i < reach and block.kind == "para" and PROVENANCE.search(text) and block.words <= 60:
            found.add_part("source_note", text)
            read_provenance(text, found)
        else:
            kept.append(block)
    return kept


def read_provenance(text: str, found: Found) -> None:
    """Container title, editor, publisher and date from a provenance sentence.

    >>> f = Found(); read_provenance("This is a chapter of the book “Big Book” (edited by Ann Lee), published by the Town Press in March 2015.", f); f.fields
    {'container_title': 'Big Book', 'editor': 'Ann Lee', 'publisher': 'Town Press', 'date': '2015-03'}
    """
    container = re.search(r"\b(?:book|volume|journal|report|collection)\s+[“\"]([^”\"]+)[”\"]", text)
    if container:
        found.set("container_title", container.group(1))
    editor = re.search(r"\bedited by ([^),;]+)", text)
    if editor:
        found.set("editor", normalise_name(editor.group(1)))
    publisher = re.search(r"\bpublished (?:by|in) (?:the )?([A-Z][\w&.\- ]+?)(?= in\b| on\b|[,.;)]|$)", text)
    if publisher:
        found.set("publisher", publisher.group(1))
    found.set("date", parse_date(text))


def take_abstract(blocks: list[Block], found: Found) -> list[Block]:
    """A "Summary" or "Abstract" heading and the paragraphs under it, up to the next heading-like line."""
    for i, block in enumerate(blocks):
        if ABSTRACT_HEADING.match(block.text.strip()):
            end = i + 1
            while end < len(blocks) and blocks[end].kind == "para" and blocks[end].ends_sentence():
                end += 1
            if end > i + 1:
                found.set("abstract", "\n\n".join(b.text for b in blocks[i + 1:end]))
                return blocks[:i] + blocks[end:]
    return blocks


def take_editors_note(blocks: list[Block], found: Found) -> list[Block]:
    """An "Editor's note" and the paragraphs after it, kept as a part of their own."""
    for i, block in enumerate(blocks):
        if block.kind in ("para", "heading") and EDITORS_NOTE.match(block.text.strip()):
            inline = EDITORS_NOTE.sub("", block.text.strip())
            end = i + 1
            while end < len(blocks) and blocks[end].kind == "para":
                end += 1
            texts = ([inline] if inline else []) + [b.text for b in blocks[i + 1:end]]
            for text in texts:
                found.add_part("editors_note", text)
            return blocks[:i] + blocks[end:]
    return blocks


def take_tail(blocks: list[Block], found: Found) -> list[Block]:
    """Author bios and an author block (name, role, organisation) closing the text."""
    end = len(blocks)
    while end and blocks[end - 1].kind == "para" and is_bio(blocks[end - 1].text, found.authors):
        end -= 1
        found.add_part("about_author", blocks[end].text)
    start = end
    while start and end - start < 4 and _short_line(blocks[start - 1]):
        start -= 1
    lines = [b.text.strip() for b in blocks[start:end]]
    if len(lines) >= 2 and looks_like_name(lines[0]) and ROLE_WORDS.search(" ".join(lines[1:])):
        name = normalise_name(lines[0])
        if name not in found.authors:
            found.authors.append(name)
        found.add_part("about_author", " — ".join(lines))
        found.set("affiliation", lines[-1] if len(lines) > 2 else "")
        return blocks[:start] + blocks[end:]
    return blocks[:end]


def _short_line(block: Block) -> bool:
    """A block of at most eight words that is not a sentence."""
    return block.kind == "para" and block.words <= 8 and not block.ends_sentence()


def is_bio(text: str, authors: list[str]) -> bool:
    """A short paragraph about a known author: it opens with their name and a verb such as "is".

    >>> is_bio("J. Berkshire Miller is a fellow at a forum.", ["Jonathan Berkshire Miller"])
    True
    """
    if not authors or len(text.split()) > 120:
        return False
    for author in authors:
        surname = author.split()[-1]
        head = re.match(rf"^(?:[\w.\-’']+\s+){{0,3}}{re.escape(surname)}\b(?P<rest>.*)", text, re.I)
        if head and BIO_VERB.match(head.group("rest")):
            return True
    return False
