"""A PDF's text layer as boxes of lines, read with PDFium (pypdfium2): its text in logical order, the
size, weight and place of each run of type, and note markers from raised, smaller digits.

PDFium gives a page's text as runs ("rects"): characters on one baseline in one font and size, in
the order the page draws them, right-to-left scripts already in reading order. Runs are joined into
lines (overlapping vertically, one after the other), and lines into boxes, paragraphs as pdfminer's
layout analysis made them: the next line of the same type size and weight, in the same column, at
most half a line's height below. A line that starts a column beside others joins the box it continues, so a page
drawn row by row across two columns is still read a column at a time.
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
UNMAPPED = re.compile("[\x00\x01\x03-\x08\ufffd\ufffe]")  # glyphs PDFium maps to no character


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
    page_text = text_page.get_text_range()
    if len(page_text) != text_page.count_chars():
        return _runs_by_box(text_page)
    runs = []
    for piece in LINE_PIECE.finditer(page_text):
        if piece.group().strip():
            for start, run in _piece_runs(text_page, page_text, piece.start(), piece.end()):
                runs += [part._replace(text=_clean(part.text)) for part in _parted(text_page, run, start)]
    return runs


def _piece_runs(text_page, page_text: str, start: int, end: int) -> list[tuple[int, Run]]:
    """One piece of a page's text as runs, each with its first character's index: the piece, parted
    around each group of digits set smaller than its first letter."""
    import pypdfium2.raw as pdfium_c

    text = page_text[start:end]
    first = start + next((i for i, c in enumerate(text) if c.isalpha()), len(text) - len(text.lstrip()))
    size, bold = _type(text_page, first)
    small = [m for m in DIGITS.finditer(text) if pdfium_c.FPDFText_GetFontSize(text_page, start + m.start()) < RAISED * size]
    box = _piece_box(text_page, start, end)
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


def _piece_box(text_page, start: int, end: int) -> tuple[float, float, float, float]:
    """The box around a piece of a page's text: its characters' boxes together."""
    import pypdfium2.raw as pdfium_c

    boxes = [_rect(text_page, i) for i in range(pdfium_c.FPDFText_CountRects(text_page, start, end - start))]
    if not boxes:
        return _char_box(text_page, start)
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


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


def _runs_by_box(text_page) -> list[Run]:
    """A page's runs where its text and its character indices do not line up (characters beyond the
    Basic Multilingual Plane): each box's text asked for, and not parted."""
    import pypdfium2.raw as pdfium_c

    runs, name = [], ctypes.create_string_buffer(96)
    for index in range(text_page.count_rects()):
        box = text_page.get_rect(index)
        text, char = _bounded_text(text_page, *box), _char_in(text_page, *box)
        if text.strip() and char >= 0:
            pdfium_c.FPDFText_GetFontInfo(text_page, char, name, 96, None)
            runs.append(Run(*box, _clean(text), round(pdfium_c.FPDFText_GetFontSize(text_page, char), 1),
                            b"bold" in name.value.lower()))
    return runs


_BUFFER = (ctypes.c_ushort * 8192)()
_NAME = ctypes.create_string_buffer(96)
_BOX = [ctypes.c_double() for _ in range(4)]  # FPDFText_GetCharBox's left, right, bottom, top
_BOX_REFS = [ctypes.byref(value) for value in _BOX]


def _bounded_text(text_page, left: float, bottom: float, right: float, top: float) -> str:
    """The text inside a box (pypdfium2's get_text_bounded, into one kept buffer: it cost 40 µs a call)."""
    import pypdfium2.raw as pdfium_c

    count = pdfium_c.FPDFText_GetBoundedText(text_page, left, top, right, bottom, _BUFFER, len(_BUFFER))
    if count >= len(_BUFFER) - 1:
        return text_page.get_text_bounded(left, bottom, right, top)
    return bytes(memoryview(_BUFFER).cast("B")[:2 * max(count - 1, 0)]).decode("utf-16-le", errors="replace")  # no NUL


def _clean(text: str) -> str:
    """A run's text without line breaks and unmapped glyphs; PDFium's mark of a hyphen a line ends with
    is a hyphen."""
    return UNMAPPED.sub("", text.replace("\r", "").replace("\n", "")).replace("\x02", "-")


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


def _char_in(text_page, left: float, bottom: float, right: float, top: float) -> int:
    """The index of a character (not a space) inside a run's box, or -1."""
    import pypdfium2.raw as pdfium_c

    middle = (bottom + top) / 2
    for share in (0.5, 0.25, 0.75, 0.1, 0.9):
        index = pdfium_c.FPDFText_GetCharIndexAtPos(text_page, left + share * (right - left), middle, 1.0, 1.0)
        if index >= 0 and not chr(pdfium_c.FPDFText_GetUnicode(text_page, index) or 32).isspace():
            return index
    return -1


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
