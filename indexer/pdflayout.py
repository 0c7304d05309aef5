"""A PDF's text layer as boxes of lines, read with PDFium (pypdfium2): the size, weight and place of
each run of type, and note markers from raised, smaller digits.

PDFium gives a page's text with a character index each, in the order the page draws it, and boxes
("rects") for runs of characters on one baseline. Runs are joined into lines (overlapping
vertically, one after the other), and lines into boxes, paragraphs as pdfminer's layout analysis
made them: the next line of the same type size and weight, in the same column, at most half a
line's height below. A line that starts a column beside others joins the box it continues, so a
page drawn row by row across two columns is still read a column at a time. An Arabic, Persian or
Hebrew word that a page draws left to right (chromium's PDFs), and PDFium gives in that order, is
turned to its reading order by its letters' places.
"""
from __future__ import annotations

import ctypes
import re
from typing import NamedTuple

RAISED = 0.8  # a digit this much smaller than its line's type, set above its baseline, is a note marker
LINE_GAP = 0.5  # a box's next line stands at most this many line heights below its last
SAME_SIZE = 1.0  # points of type size by which lines of one box may differ
WORD_GAP = 1.5  # a wider gap than this many times the type size parts two lines (a page number beside a head)
SPARSE = 0.75  # a run wider than this many times its size a character may hold such a gap (text is about 0.5)
LOOK_BACK = 4  # boxes a line may continue: the last few (two or three columns side by side)
DIGITS = re.compile(r"\d+")
LINE_PIECE = re.compile(r"[^\r\n]+")  # a page's text between the line breaks PDFium puts in
UNMAPPED = re.compile("[\x00\x01\x03-\x08\ufffd]")  # glyphs PDFium maps to no character
SOFT_HYPHEN = re.compile("[\x02\ufffe]")
MARKS = "\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"  # Hebrew and Arabic marks
RTL_WORD = re.compile("[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]{2,}")  # PDFium's mark of a hyphen that ends a line (older and newer)


class Box(NamedTuple):
    """A text box of a page: its text, its largest letters' size, whether it stands in the page's lower
    third, and whether all its letters are bold."""

    text: str
    size: float
    low: bool
    bold: bool = False


class Run(NamedTuple):
    """One run of type: its box (left, bottom, right, top), text, size and weight."""

    left: float
    bottom: float
    right: float
    top: float
    text: str
    size: float
    bold: bool


class Line:
    """Runs on one baseline, left to right, with their extent and type size (kept up to date as runs join)."""

    __slots__ = ("runs", "bottom", "top", "left", "right", "size")

    def __init__(self, run: Run):
        self.runs = [run]
        self.bottom, self.top, self.left, self.right = run.bottom, run.top, run.left, run.right
        self.size = run.size if _lettered(run) else 0.0

    def add(self, run: Run) -> None:
        """Put a run at the line's end."""
        self.runs.append(run)
        self.bottom, self.top = min(self.bottom, run.bottom), max(self.top, run.top)
        self.left, self.right = min(self.left, run.left), max(self.right, run.right)
        if _lettered(run):
            self.size = max(self.size, run.size)

    @property
    def bold(self) -> bool:
        """Whether all its letters are bold (a heading set in the body's size is told by it)."""
        return all(run.bold for run in self.runs if _lettered(run))

    @property
    def type_size(self) -> float:
        """The size of its letters' type (its largest run with a letter; else its largest run)."""
        return self.size or max(r.size for r in self.runs)

    def text(self) -> str:
        """Its runs' text, a raised smaller number written ``[^n]``."""
        size = self.type_size
        base, pieces = min(r.bottom for r in self.runs if r.size >= RAISED * size), []
        for run in self.runs:
            number = run.text.strip()
            if number.isdecimal() and run.size < RAISED * size and run.bottom > base + 0.15 * size:
                pieces.append(f"[^{number}]")
            else:
                pieces.append(run.text)
        return "".join(pieces).rstrip()


def _lettered(run: Run) -> bool:
    """Whether a run holds a letter."""
    return any(c.isalpha() for c in run.text)


def page_boxes(document) -> list[list[Box]]:
    """Each page's boxes, in reading order (see the module's docstring)."""
    pages = []
    for number in range(len(document)):
        page = document[number]
        text_page = page.get_textpage()
        try:
            lines = _lines(_runs(text_page))
            pages.append([_box(group, page.get_height()) for group in _columns(lines)])
        finally:
            text_page.close()
            page.close()
    return pages


def _runs(text_page) -> list[Run]:
    """A page's runs of type, in the order the page draws them, parted where a gap is wider than a word's.

    The page's text (one character per character index) is cut at the line breaks PDFium puts in; a
    piece's type is that of its first letter, and a digit in it set smaller is a run of its own (a note
    marker, if it is raised). Asking PDFium for the text inside each of its boxes instead scanned the
    whole page each time: two thirds of the reading time.
    """
    page_text = _page_text(text_page)
    runs = []
    for piece in LINE_PIECE.finditer(page_text):
        if piece.group().strip():
            for start, run in _piece_runs(text_page, page_text, piece.start(), piece.end()):
                runs += [part._replace(text=_clean(part.text)) for part in _parted(text_page, run, start)]
    return runs


def _piece_runs(text_page, page_text: str, start: int, end: int) -> list[tuple[int, Run]]:
    """One piece of a page's text as runs, each with its first character's index.

    A piece is one line but where PDFium put no line break between two: then it is cut where its
    characters pass to another line.
    """
    import pypdfium2.raw as pdfium_c

    boxes = [_rect(text_page, i) for i in range(pdfium_c.FPDFText_CountRects(text_page, start, end - start))]
    if _one_line(boxes):
        return _line_runs(text_page, page_text, start, end, _joined(boxes) if boxes else _char_box(text_page, start))
    return [run for begin, finish, box in _lines_of(text_page, page_text, start, end)
            for run in _line_runs(text_page, page_text, begin, finish, box)]


def _lines_of(text_page, page_text: str, start: int, end: int) -> list[tuple[int, int, tuple]]:
    """A piece of a page's text cut where its characters pass to another line: (start, end, box) of each."""
    lines: list[tuple[int, int, tuple]] = []
    for index in range(start, end):
        box = _char_box(text_page, index)
        if page_text[index].isspace() or box[3] <= box[1]:  # PDFium's own spaces and hyphens have no box
            continue
        if lines and lines[-1][2][1] <= (box[1] + box[3]) / 2 <= lines[-1][2][3]:
            begin, _, line = lines[-1]
            lines[-1] = (begin, index + 1, _joined([line, box]))
        else:
            if lines:
                lines[-1] = (lines[-1][0], index, lines[-1][2])  # the spaces before this line end the last
            lines.append((index, index + 1, box))
    if lines:
        lines[-1] = (lines[-1][0], end, lines[-1][2])
    return lines


def _one_line(boxes: list[tuple]) -> bool:
    """Whether boxes stand on one line: each one's middle within the tallest one's height (a box of no
    height, such as an underscore's, aside)."""
    tall = [box for box in boxes if box[3] > box[1]]
    if not tall:
        return True
    top = max(tall, key=lambda box: box[3] - box[1])
    return all(top[1] <= (box[1] + box[3]) / 2 <= top[3] for box in tall)


def _joined(boxes: list[tuple]) -> tuple[float, float, float, float]:
    """The box around boxes."""
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _line_runs(text_page, page_text: str, start: int, end: int, box: tuple) -> list[tuple[int, Run]]:
    """One line's piece of a page's text as runs: the piece, parted around each group of digits set
    smaller than its first letter."""
    import pypdfium2.raw as pdfium_c

    text = page_text[start:end]
    first = start + next((i for i, c in enumerate(text) if c.isalpha()), len(text) - len(text.lstrip()))
    size, bold = _type(text_page, first)
    small = [m for m in DIGITS.finditer(text) if pdfium_c.FPDFText_GetFontSize(text_page, start + m.start()) < RAISED * size]
    if not small:
        return [(start, Run(*box, text, size, bold))]
    runs, at = [], 0

    def part(begin: int, end: int, size: float, own_height: bool = False) -> None:
        piece = text[begin:end]  # measured from its first and last visible characters: PDFium's own spaces have no box
        first, last = begin + len(piece) - len(piece.lstrip()), end - (len(piece) - len(piece.rstrip())) - 1
        if first > last:
            return
        left, bottom, _, top = _char_box(text_page, start + first)
        right = _char_box(text_page, start + last)[2]
        height = (bottom, top) if own_height else (box[1], box[3])
        runs.append((start + begin, Run(left, height[0], right, height[1], text[begin:end], size, bold)))
    for digits in small:
        if digits.start() > at:
            part(at, digits.start(), size)
        part(digits.start(), digits.end(), round(pdfium_c.FPDFText_GetFontSize(text_page, start + digits.start()), 1),
             own_height=True)
        at = digits.end()
    if at < len(text):
        part(at, len(text), size)
    return runs


def _type(text_page, index: int) -> tuple[float, bool]:
    """The size and boldness of a character's type."""
    import pypdfium2.raw as pdfium_c

    pdfium_c.FPDFText_GetFontInfo(text_page, index, _NAME, len(_NAME), None)
    return round(pdfium_c.FPDFText_GetFontSize(text_page, index), 1), b"bold" in _NAME.value.lower()


def _char_box(text_page, index: int) -> tuple[float, float, float, float]:
    """A character's box, as (left, bottom, right, top)."""
    import pypdfium2.raw as pdfium_c

    pdfium_c.FPDFText_GetCharBox(text_page, index, *_BOX_REFS)
    left, right, bottom, top = (value.value for value in _BOX)
    return left, bottom, right, top


def _rect(text_page, index: int) -> tuple[float, float, float, float]:
    """A box of the last FPDFText_CountRects call, as (left, bottom, right, top)."""
    import pypdfium2.raw as pdfium_c

    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    pdfium_c.FPDFText_GetRect(text_page, index, *map(ctypes.byref, (left, top, right, bottom)))
    return left.value, bottom.value, right.value, top.value


def _page_text(text_page) -> str:
    """A page's text with one Python character per PDFium character index.

    FPDFText_GetText's text lines up with the indices on nearly every page, but not on all (a broken
    font's NUL glyphs, which pypdfium2's get_text_range also drops): it is checked every 64
    characters, and read a character at a time where it does not line up.
    """
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFText_CountChars(text_page)
    units = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(text_page, 0, count, units)
    text = "".join(map(chr, units[:count]))
    if not all(pdfium_c.FPDFText_GetUnicode(text_page, i) == ord(text[i]) for i in [*range(0, count, 64), count - 1][:count]):
        text = "".join(chr(pdfium_c.FPDFText_GetUnicode(text_page, i) or 0xFFFD) for i in range(count))
    return _in_reading_order(text, lambda index: _char_box(text_page, index)[0]) if RTL_WORD.search(text) else text


def _in_reading_order(text: str, left_of) -> str:
    """The text with each right-to-left word that the page draws left to right (chromium's PDFs: its
    letters' boxes go rightwards) turned to reading order, a letter with its marks kept together;
    ``left_of`` gives a character's left edge. The text's length and its words' places stay.

    >>> drawn = "فلملا ok الملف"  # the first word's letters drawn left to right, the last's right to left
    >>> places = [0, 1, 2, 3, 4, 5, 6, 7, 8, 18, 17, 16, 15, 14]
    >>> _in_reading_order(drawn, places.__getitem__)
    'الملف ok الملف'
    """
    letters = list(text)
    for word in RTL_WORD.finditer(text):
        start, end = word.span()
        if left_of(start) < left_of(end - 1):
            clusters = re.findall(f"[^{MARKS}][{MARKS}]*|[{MARKS}]+", word.group())
            letters[start:end] = "".join(reversed(clusters))
    return "".join(letters)


_NAME = ctypes.create_string_buffer(96)
_BOX = [ctypes.c_double() for _ in range(4)]  # FPDFText_GetCharBox's left, right, bottom, top
_BOX_REFS = [ctypes.byref(value) for value in _BOX]


def _clean(text: str) -> str:
    """A run's text without line breaks and unmapped glyphs, surrogate pairs joined; PDFium's mark of
    a hyphen a line ends with is a hyphen."""
    text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return SOFT_HYPHEN.sub("-", UNMAPPED.sub("", text.replace("\r", "").replace("\n", "")))


def _parted(text_page, run: Run, start: int) -> list[Run]:
    """A run parted at each space wider than WORD_GAP times its size (``start``: its first character's
    index in the page, -1 when unknown: not parted)."""

    if start < 0 or " " not in run.text.strip() or run.right - run.left < SPARSE * run.size * len(run.text):
        return [run]
    pieces, begin, left = [], 0, run.left
    for at in (i for i, c in enumerate(run.text) if c == " " and 0 < i < len(run.text) - 1):
        before, after = _char_box(text_page, start + at - 1)[2], _char_box(text_page, start + at + 1)[0]
        if after - before > WORD_GAP * run.size and run.text[at + 1] != " ":
            pieces.append(run._replace(left=left, right=before, text=run.text[begin:at]))
            begin, left = at + 1, after
    return [*pieces, run._replace(left=left, text=run.text[begin:])] if pieces else [run]


def _lines(runs: list[Run]) -> list[Line]:
    """Runs joined into lines: a run that overlaps the line's height and starts just after its end continues it."""
    lines: list[Line] = []
    for run in runs:
        line = lines[-1] if lines else None
        gap = run.left - line.right if line else 0.0
        if line and run.bottom < line.top and run.top > line.bottom and -1.0 <= gap <= WORD_GAP * line.type_size:
            if gap > 0.2 * max(run.size, line.type_size) and not run.text.startswith(" ") \
                    and not line.runs[-1].text.endswith((" ", "-")):
                run = run._replace(text=" " + run.text)
            line.add(run)
        else:
            lines.append(Line(run))
    return lines


def _columns(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into boxes: each joins the open box it continues (same size, same column, just
    below its last line), else starts one; boxes in the order they start."""
    boxes: list[list[Line]] = []
    for line in lines:
        home = next((box for box in reversed(boxes[-LOOK_BACK:]) if _continues(box[-1], line)), None)
        if home is None:
            boxes.append([line])
        else:
            home.append(line)
    return boxes


def _continues(last: Line, line: Line) -> bool:
    """Whether a line is the next of a box whose last line is ``last``."""
    height = max(last.top - last.bottom, line.top - line.bottom, 1.0)
    below = last.bottom - line.top
    return (abs(last.type_size - line.type_size) <= SAME_SIZE and last.bold == line.bold
            and -0.5 * height <= below <= LINE_GAP * height
            and line.left < last.right and line.right > last.left)


def _box(lines: list[Line], page_height: float) -> Box:
    """A box from its lines."""
    letters = [run for line in lines for run in line.runs if _lettered(run)]
    texts = [line.text() for line in lines]
    return Box("\n".join(text for text in texts if text.strip()),
               max((run.size for run in letters), default=0.0), max(line.top for line in lines) < page_height / 3,
               bool(letters) and all(run.bold for run in letters))
