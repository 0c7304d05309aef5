"""Cleaning rules for plain text: each a small ``str -> str`` function, composed by ``clean``.

Rules here remove only furniture: lines that carry no text of the document and no metadata.
Lines that carry metadata (bylines, copyright, ISBN) are left for the split step, which reads
and then removes them.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

PARAGRAPH_GAP = re.compile(r"(\n[ \t]*\n\s*)")
SEPARATOR = re.compile(r"^\s*([*\-_=~#]\s*){3,}$")
TERMINAL = re.compile(r"[.!?…:;。！？．：；][\"”’'»)\]」』）]*$")  # with the full-width marks of CJK text

CHROME_LINES = re.compile(
    r"""^\s*(?:
        logo\b.*                                   # "Logo ISN"
      | .*\bslogan:.*
      | view\ (?:full\ )?profile
      | comments\ are\ closed\.?
      | (?:explore|read|see)\ (?:our\ |more\ )?related\ (?:content|articles|posts)
      | related\ (?:content|articles|posts|reading):?
      | share\ (?:this|on)\b.*
      | (?:tweet|print|e-?mail)\ this\b.*
      | (?:main\ )?image\ credit\b.*
      | (?:photo|image|picture|illustration)\ ?(?:credit)?:.*
      | (?:tel|fax|phone|telephone)\s*[.:].*
      | e-?mail\s*:\s*\S+@\S+
      | (?:website|web)\s*:\s*\S+
      | skip\ to\ (?:main\ )?content
      | (?:leave|post)\ a\ comment
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
CAPTION = re.compile(r"\b(?:courtesy of|photo by|image by|via wikimedia|getty images|reuters/)\b", re.I)
PROMO = re.compile(
    r"\b(?:please (?:visit|e-?mail|contact|subscribe to) (?:us|our)\b|please subscribe|sign up (?:for|to)|subscribe to (?:our|the)"
    r"|follow us|if you wish to be notified|browse our|newsletter)\b",
    re.I,
)
PUBLICATION_LIST_HEADING = re.compile(
    r"^(?:the )?(?:latest|other|recent|related|previous|also in (?:this|the)) (?:\S+ ){0,3}?"
    r"(?:publications|papers|issues|reports|titles)\b.*$",
    re.I,
)
LIST_ITEM = re.compile(r"^\s*(?:[-*•▪–]|\d{1,3}[.)])\s+")
PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?(?:\s*[-–—])?\s*$", re.I)
TOC_HEADING = re.compile(r"^\s*(?:table of )?contents\s*$", re.I)
TOC_ENTRY = re.compile(r"^\s*(?P<title>\S.*?)(?:\s*\.{2,}\s*|\s*…+\s*|\t+\s*|\s{2,})(?P<page>\d{1,4})\s*$")
LINE_END_HYPHEN = re.compile(r"([^\W_]+)-\n([^\W_]+)")  # a word, a hyphen ending its line, the next line's word
WORD = re.compile(r"[^\W_]+")
COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?\s+\S")  # a numbered heading: "2.1 Referring to…"


@dataclass(frozen=True)
class TocEntry:
    """One line of a table of contents: a heading and the level its typography implies."""

    title: str
    level: int


@dataclass
class CleanText:
    """Cleaned text, the table of contents found in it, and where the body starts."""

    text: str
    toc: list[TocEntry] = field(default_factory=list)
    body_start: int | None = None  # character offset in ``text`` where a removed TOC stood
    outline: bool = False  # the TOC is a PDF's outline: it names every heading, and no other line is one


def clean(text: str, running_heads: bool = True) -> CleanText:
    """Apply every cleaning rule in order; the TOC is removed and kept as a heading hint.

    ``running_heads=False`` keeps repeated short lines: a PDF's running heads are found by their
    place on the page (``pdfsource.without_running_heads``), and its repeated table headings and
    "Tip" labels are text.
    """
    for rule in (strip_zero_width_and_nbsp, strip_markdown_debris, remove_chrome_lines,
                 remove_captions, remove_page_numbers, remove_running_heads, rejoin_hyphenated,
                 remove_promos, remove_publication_lists, remove_trailing_wordmark):
        if rule is not remove_running_heads or running_heads:
            text = rule(text)
    text, toc, body_start = split_toc(text)
    return CleanText(text.strip("\n") + "\n", toc, body_start)


def map_paragraphs(text: str, edit) -> str:
    """Apply ``edit`` (paragraph -> paragraph or None to drop) to each blank-line-separated paragraph.

    A dropped paragraph takes its gap with it, so removal never widens a section break.

    >>> map_paragraphs("a\\n\\nDROP\\n\\n\\nb", lambda p: None if p == "DROP" else p.upper())
    'A\\n\\n\\nB'
    """
    pieces = PARAGRAPH_GAP.split(text)
    out: list[str] = []
    gap = ""
    for i in range(0, len(pieces), 2):
        gap = max(gap, pieces[i - 1] if i else "", key=len)
        kept = edit(pieces[i])
        if kept is None or not kept.strip():
            continue
        out += [gap, kept] if out else [kept]
        gap = ""
    return "".join(out)


def map_lines(text: str, keep) -> str:
    """Drop the lines for which ``keep`` is false, paragraph by paragraph.

    >>> map_lines("Logo X\\nBody\\n\\nLogo Y\\n\\nMore", lambda line: not line.startswith("Logo"))
    'Body\\n\\nMore'
    """
    return map_paragraphs(text, lambda p: "\n".join(line for line in p.split("\n") if keep(line)))


def strip_zero_width_and_nbsp(text: str) -> str:
    """No-break spaces become spaces; trailing spaces go.

    >>> strip_zero_width_and_nbsp("a\\u00a0b  \\nc")
    'a b\\nc'
    """
    return re.sub(r"[ \t]+$", "", text.replace("\u00a0", " ").replace("\u202f", " "), flags=re.M)


def strip_markdown_debris(text: str) -> str:
    r"""Markdown left in plain text by a conversion becomes text again.

    >>> strip_markdown_debris(r"loaned \$38.5 in *The Japan Times* and [M. Lo, Old Triangles](#)")
    'loaned $38.5 in The Japan Times and M. Lo, Old Triangles'
    >>> strip_markdown_debris("2 * 3 * 4 and snake_case_name stay")
    '2 * 3 * 4 and snake_case_name stay'
    """
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!$&%])", r"\1", text)
    text = re.sub(r"(?<!!)\[([^\]\n]+)\]\((?:#[^)\s]*|https?://[^)\s]+|/[^)\s]*)\)", r"\1", text)
    text = re.sub(r"\*\*(\S(?:[^*\n]*\S)?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\S(?:[^*\n]*\S)?)\*(?![\w*])", r"\1", text)
    return re.sub(r"(?<![\w_])_(\S(?:[^_\n]*\S)?)_(?![\w_])", r"\1", text)


def is_furniture(line: str) -> bool:
    """True for a line that is site chrome, a caption or a promotion, wherever it stands.

    >>> is_furniture("Comments are closed."), is_furniture("Comments on the treaty were few.")
    (True, False)
    """
    line = line.strip()
    return bool(CHROME_LINES.match(line) or _is_caption(line) or (PROMO.search(line) and len(line.split()) <= 60))


def _is_caption(line: str) -> bool:
    """A short line naming an image source, with no sentence end."""
    return bool(CAPTION.search(line)) and len(line.split()) <= 25 and not TERMINAL.search(line.strip())


def remove_chrome_lines(text: str) -> str:
    """Site chrome that fills whole lines: logos, slogans, profile and share links, contact lines.

    >>> remove_chrome_lines("Logo ISN\\nSlogan: sharing knowledge\\n\\nBody text.\\n\\nView profile\\n\\nComments are closed.")
    'Body text.'
    """
    return map_lines(text, lambda line: not CHROME_LINES.match(line))


def remove_captions(text: str) -> str:
    """Image credits and captions: a short line naming a source ("courtesy of …") with no sentence end.

    >>> remove_captions("Harbour at dawn, courtesy of the author\\nThe report begins here.")
    'The report begins here.'
    >>> remove_captions("The data were provided courtesy of the ministry, which we thank.")
    'The data were provided courtesy of the ministry, which we thank.'
    """
    return map_lines(text, lambda line: not _is_caption(line))


def remove_page_numbers(text: str) -> str:
    """Lines that hold only a page number ("12", "Page 3", "4 / 20", "- 7 -").

    >>> remove_page_numbers("end of page\\n\\n12\\n\\nPage 13\\n\\nnext page")
    'end of page\\n\\nnext page'
    """
    return map_lines(text, lambda line: not PAGE_NUMBER.match(line))


def remove_running_heads(text: str) -> str:
    """Short lines repeated three or more times (running heads and feet of a converted PDF).

    >>> remove_running_heads("Annual Report\\n\\nOne.\\n\\nAnnual Report\\n\\nTwo.\\n\\nAnnual Report\\n\\nThree.")
    'One.\\n\\nTwo.\\n\\nThree.'
    """
    lines = [line.strip() for line in text.split("\n")]
    counts = Counter(line for line in lines if line and len(line.split()) <= 10 and not SEPARATOR.match(line)
                     and not LIST_ITEM.match(line))
    repeated = {line for line, n in counts.items() if n >= 3}
    return map_lines(text, lambda line: line.strip() not in repeated) if repeated else text


def rejoin_hyphenated(text: str, vocabulary: Counter | None = None) -> str:
    """A word hyphenated across a line break is joined again; a compound keeps its hyphen.

    The text's own words decide (``vocabulary``: those of a larger text it is part of): the joined
    word or the compound, whichever stands elsewhere more often; where neither does, the compound
    if both halves are words of their own. A hyphen before a capital or a digit is always real.

    >>> rejoin_hyphenated("a rapproche-\\nment between Japan-\\nRussia, 1990-\\n1995")
    'a rapprochement between Japan-Russia, 1990-1995'
    >>> rejoin_hyphenated("the non-\\nfree section: free software is not a non issue")
    'the non-free section: free software is not a non issue'
    >>> rejoin_hyphenated("non-free, non-free and firmware-nonfree; non-\\nfree")
    'non-free, non-free and firmware-nonfree; non-free'
    >>> rejoin_hyphenated("a device, and the de-\\nvice of the de facto vice")
    'a device, and the device of the de facto vice'
    """
    if "-\n" not in text:
        return text
    words = vocabulary if vocabulary is not None else words_of(text)

    def rejoined(found: re.Match) -> str:
        left, right = found.group(1), found.group(2)
        joined, compound = words[(left + right).lower()], words[f"{left}-{right}".lower()]
        if not right[:1].islower() or compound > joined or (
                compound == joined == 0 and words[left.lower()] and words[right.lower()]):
            return f"{left}-{right}"
        return left + right
    return LINE_END_HYPHEN.sub(rejoined, text)


def words_of(text: str) -> Counter:
    """How often each lower-cased word and hyphenated compound stands in a text, those broken at a
    line end left out.

    >>> sorted(words_of("High-powered talks on a cold-\\nwater port, high up").items())[:4]
    [('a', 1), ('high', 2), ('high-powered', 1), ('on', 1)]
    """
    whole = LINE_END_HYPHEN.sub(" ", text).lower()
    return Counter(WORD.findall(whole)) + Counter(COMPOUND.findall(whole))


def remove_promos(text: str) -> str:
    """Short paragraphs that ask the reader to visit, subscribe, e-mail or follow.

    >>> remove_promos("Body.\\n\\nFor more, please visit our blog or browse our resources.")
    'Body.'
    >>> remove_promos("Body.\\n\\nFor the rules, please visit the harbour board's page or contact the clerk.")
    "Body.\\n\\nFor the rules, please visit the harbour board's page or contact the clerk."
    """
    return map_paragraphs(text, lambda p: None if PROMO.search(p) and len(p.split()) <= 60 else p)


def remove_publication_lists(text: str) -> str:
    """A heading such as "Latest publications" and the list items that follow it.

    >>> remove_publication_lists("Last words.\\n\\nOther Publications\\n\\n- A, Title, 2017.\\n- B, Title, 2016.")
    'Last words.'
    """
    state = {"in_list": False}

    def edit(paragraph: str) -> str | None:
        if PUBLICATION_LIST_HEADING.match(paragraph.strip()) and len(paragraph.split()) <= 10:
            state["in_list"] = True
            return None
        if state["in_list"] and all(LIST_ITEM.match(line) for line in paragraph.split("\n") if line.strip()):
            return None
        state["in_list"] = False
        return paragraph

    return map_paragraphs(text, edit)


def remove_trailing_wordmark(text: str) -> str:
    """A run of three or more tiny lines in lower case or capitals closing the text: a logo's words.

    >>> remove_trailing_wordmark("Last sentence.\\n\\nacme\\n\\ninstitute of\\nstudies")
    'Last sentence.\\n'
    """
    lines = text.rstrip().split("\n")
    end = len(lines)
    start = end
    while start > 0 and (not lines[start - 1].strip() or _wordmark_line(lines[start - 1])):
        start -= 1
    if sum(1 for line in lines[start:end] if line.strip()) < 3:
        return text
    return "\n".join(lines[:start]).rstrip() + "\n"


def _wordmark_line(line: str) -> bool:
    """A line of at most three words, all lower case or all capitals, with no punctuation."""
    words = line.split()
    return 0 < len(words) <= 3 and (line.strip().islower() or line.strip().isupper()) and not re.search(r"[.,;:!?]", line)


def split_toc(text: str) -> tuple[str, list[TocEntry], int | None]:
    """Remove a table of contents (three or more lines ending in page numbers), returning its entries.

    >>> body, toc, start = split_toc("Title\\n\\nContents\\n\\nINTRODUCTION\\t5\\nA first part....9\\nCONCLUSION  23\\n\\nIntroduction\\n\\nText.")
    >>> body
    'Title\\n\\nIntroduction\\n\\nText.'
    >>> [(e.title, e.level) for e in toc], body[start:start + 12]
    ([('INTRODUCTION', 1), ('A first part', 2), ('CONCLUSION', 1)], 'Introduction')
    """
    lines = text.split("\n")
    run = _longest_toc_run(lines)
    if run is None:
        return text, [], None
    first, last = run
    if first > 0 and TOC_HEADING.match(lines[first - 1]):
        first -= 1
    elif first > 1 and not lines[first - 1].strip() and TOC_HEADING.match(lines[first - 2]):
        first -= 2
    entries = [TOC_ENTRY.match(line).group("title").strip() for line in lines[first:last] if TOC_ENTRY.match(line)]
    before = "\n".join(lines[:first]).rstrip("\n")
    after = "\n".join(lines[last:]).lstrip("\n")
    joined = f"{before}\n\n{after}" if before else after
    return joined, _toc_levels(entries), len(before) + 2 if before else 0


def _longest_toc_run(lines: list[str]) -> tuple[int, int] | None:
    """The first run of three or more consecutive TOC-entry lines, as (start, end)."""
    start = None
    for i, line in enumerate(lines + [""]):
        if TOC_ENTRY.match(line) and not PAGE_NUMBER.match(line):
            start = i if start is None else start
            continue
        if start is not None and i - start >= 3:
            return start, i
        start = None
    return None


def _toc_levels(titles: list[str]) -> list[TocEntry]:
    """Levels from typography: numbering depth if numbered, else capitals above mixed case."""
    has_caps = any(t.isupper() for t in titles)
    return [TocEntry(title, numbering_depth(title) or (1 if (title.isupper() or not has_caps) else 2))
            for title in titles]


def numbering_depth(title: str) -> int:
    """How deep a numbered heading's number goes ("2." 1, "2.3" 2), 0 for one without a number.

    >>> numbering_depth("1.1. The lenses"), numbering_depth("3 Results"), numbering_depth("Preface")
    (2, 1, 0)
    """
    found = NUMBERED.match(title)
    return found.group(1).count(".") + 1 if found else 0
