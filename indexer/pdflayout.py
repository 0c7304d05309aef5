"""A PDF's text layer as boxes of lines, read with PDFium (pypdfium2): the size, weight and place of
each run of type, and note markers from raised, smaller digits.

PDFium gives a page's text with a character index each, in the order the page draws it, and boxes
("rects") for runs of characters on one baseline. Runs are joined into lines (overlapping
vertically, one after the other), and lines into boxes, paragraphs as pdfminer's layout analysis
made them: the next line of the same type size and weight, in the same column, at most half a
line's height below. A line that starts a column beside others joins the box it continues, so a
page drawn row by row across two columns is still read a column at a time. An Arabic, Persian or
Hebrew word that a page draws left to right (chromium's PDFs), and PDFium gives in that order, is
turned to its reading order by its letters' places, and so is a right-to-left line drawn word by
word from the left.
"""
from __future__ import annotations

import ctypes
import re
from typing import NamedTuple

RAISED = 0.8  # a digit this much smaller than its line's type, set above its baseline, is a note marker
CAP_HEIGHT = 0.7  # a capital's height, as a share of the type size
LINE_GAP = 0.5  # a box's next line stands at most this many line heights below its last
SAME_SIZE = 1.0  # points of type size by which lines of one box may differ
WORD_GAP = 1.5  # a wider gap than this many times the type size parts two lines (a page number beside a head)
FULL_LINE = 0.9  # a line this share of the page's text width wide is full; a shorter one shows where it starts
RTL_PAGE = 0.15  # a page with this share of right-to-left letters may have lines of Latin letters alone set
# right to left (an Arabic manual's "6.1.4. Using Mirrors"); on other pages only a line with such letters may
SPARSE = 0.75  # a run wider than this many times its size a character may hold such a gap (text is about 0.5)
LOOK_BACK = 4  # boxes a line may continue: the last few (two or three columns side by side)
DIGITS = re.compile(r"\d+")
LETTER = re.compile(r"[^\W\d_]")
LINE_PIECE = re.compile(r"[^\r\n]+")  # a page's text between the line breaks PDFium puts in
UNMAPPED = re.compile("[\x00\x01\x03-\x08\ufffd]")  # glyphs PDFium maps to no character
SOFT_HYPHEN = re.compile("[\x02\ufffe]")  # PDFium's mark of a hyphen that ends a line (older and newer)
MARKS = "\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u08d3-\u08ff"  # Hebrew and Arabic marks
RTL_LETTERS = "\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
RTL_LETTER = re.compile(f"[{RTL_LETTERS}]")
MARK = re.compile(f"[{MARKS}]")
RTL_WORD = re.compile(f"[{RTL_LETTERS}]{{2,}}")
LTR_LETTER = re.compile(f"(?![{RTL_LETTERS}])[^\\W\\d_]")  # a letter of the other scripts
_LTR_WORD = f"[/~]*{LTR_LETTER.pattern}(?:[^{RTL_LETTERS}\\s]*(?![{RTL_LETTERS}])[^\\W_])?"
NUMBER_DRAWN = re.compile(r"(^\s*|\s)([.)]+)(\d+(?:\.\d+)*)(?=\s)")  # a number with its stop drawn on its left
# a line's segments: a left-to-right run (words that start with a letter of the other scripts, as
# "sources.list"), a number ("6.1"), a right-to-left word, or what stands between them
SEGMENT = re.compile(f"{_LTR_WORD}(?:\\s+{_LTR_WORD})*|\\d+(?:[.,:/-]\\d+)*|[{RTL_LETTERS}]+"
                     f"|(?:(?!{LTR_LETTER.pattern})[^{RTL_LETTERS}\\d])+")


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
        self.bottom, self.top, self.left, self.right = run.bottom, _top(run), run.left, run.right
        self.size = run.size if _lettered(run) else 0.0

    def add(self, run: Run) -> None:
        """Put a run at the line's end."""
        self.runs.append(run)
        self.bottom, self.top = min(self.bottom, run.bottom), max(self.top, _top(run))
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


def _top(run: Run) -> float:
    """A run's top, at least as high as a capital's: a line of a lone stop or bracket (a line break
    before ".", say) stands as high as a line of letters, and a note number raised beside it joins it."""
    return max(run.top, run.bottom + CAP_HEIGHT * run.size)


def _lettered(run: Run) -> bool:
    """Whether a run holds a letter."""
    return LETTER.search(run.text) is not None


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
    return _BOX[0].value, _BOX[2].value, _BOX[1].value, _BOX[3].value  # it writes left, right, bottom, top


def _rect(text_page, index: int) -> tuple[float, float, float, float]:
    """A box of the last FPDFText_CountRects call, as (left, bottom, right, top)."""
    import pypdfium2.raw as pdfium_c

    pdfium_c.FPDFText_GetRect(text_page, index, *_BOX_REFS)
    return _BOX[0].value, _BOX[3].value, _BOX[2].value, _BOX[1].value  # it writes left, top, right, bottom


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
    if not RTL_WORD.search(text):
        return text
    return _in_reading_order(text, [_char_box(text_page, index) for index in range(len(text))])


def _in_reading_order(text: str, boxes: list[tuple]) -> str:
    """The text with each right-to-left word that the page draws left to right (chromium's PDFs: its
    letters' boxes go rightwards) turned to reading order, a letter with its marks kept together, and
    each right-to-left line drawn word by word from the left read from the right (``boxes``: each
    character's (left, bottom, right, top)). The text's length and its lines' places stay.

    >>> drawn = "فلملا ok الملف"  # the first word's letters drawn left to right, the last's right to left
    >>> lefts = [0, 1, 2, 3, 4, 5, 6, 7, 8, 18, 17, 16, 15, 14]
    >>> _in_reading_order(drawn, [(x, 0, x + 1, 1) for x in lefts])
    'الملف ok الملف'
    """
    letters = list(text)
    for word in RTL_WORD.finditer(text):
        start, end = word.span()
        letters[start:end] = _word_in_reading_order(word.group(), boxes[start:end])
    text = "".join(letters)
    inked = [box for box in boxes if box[2] > box[0]]
    page = (min(box[0] for box in inked), max(box[2] for box in inked)) if inked else (0.0, 0.0)
    rtl, ltr = _letters(text)
    any_line = rtl >= RTL_PAGE * (rtl + ltr)
    return LINE_PIECE.sub(lambda line: _line_in_reading_order(line, boxes, page)
                          if any_line or RTL_LETTER.search(line.group()) else line.group(), text)


def _word_in_reading_order(word: str, boxes: list[tuple]) -> str:
    """A right-to-left word in reading order: as drawn where its letters go leftwards; its letters
    (each with its marks) reversed where they go rightwards (chromium); else, drawn in pieces around
    its marks, its characters by their places, rightmost first.

    >>> _word_in_reading_order("مث", [(504, 0, 512, 1), (512, 0, 515, 1)])
    'ثم'
    >>> drawn = "ملاُبثّت"  # four pieces, as a printed page draws it
    >>> lefts = [451.0, 454.3, 459.5, 447.0, 441.4, 443.1, 439.3, 427.7]
    >>> _word_in_reading_order(drawn, [(x, 0, x + 3, 1) for x in lefts]) == "المُثبّت"
    True
    """
    middles = [(box[0] + box[2]) / 2 for box, letter in zip(boxes, word) if not MARK.match(letter)]
    if all(before >= after for before, after in zip(middles, middles[1:])):
        return word
    if all(before <= after for before, after in zip(middles, middles[1:])):
        return "".join(reversed(re.findall(f"[^{MARKS}][{MARKS}]*|[{MARKS}]+", word)))
    return "".join(letter for _, letter in sorted(zip(boxes, word), key=lambda pair: -(pair[0][0] + pair[0][2])))


def _letters(text: str) -> tuple[int, int]:
    """How many right-to-left letters, and letters of the other scripts, a text holds."""
    return len(RTL_LETTER.findall(text)), len(LTR_LETTER.findall(text))


def _line_in_reading_order(line: re.Match, boxes: list[tuple], page: tuple[float, float]) -> str:
    """A right-to-left line (see _right_to_left) whose words and left-to-right runs stand left to right
    (each further right than the one before: drawn in visual order), read from the right: its segments
    in reverse order, what stands between them reversed, its left-to-right runs ("sources.list", "6.1")
    as written.

    >>> line = re.match(".+", "sources.list الملف تعبئة .6.1")
    >>> _line_in_reading_order(line, [(x + 20, 0, x + 21, 1) for x in range(29)], (0, 49))
    '6.1. تعبئة الملف sources.list'
    >>> line = re.match(".+", ".4.2 اختيار اللغة")
    >>> _line_in_reading_order(line, [(40 - x, 0, 41 - x, 1) for x in range(17)], (0, 41))
    '4.2. اختيار اللغة'
    >>> line = re.match(".+", "Using Mirrors .6.1.4")
    >>> _line_in_reading_order(line, [(x + 29, 0, x + 30, 1) for x in range(20)], (0, 49))
    '6.1.4. Using Mirrors'
    """
    if not _right_to_left(line, boxes, page):
        return line.group()
    segments = list(SEGMENT.finditer(line.group()))
    strong = [_left(boxes, line.start() + m.start(), line.start() + m.end()) for m in segments if _strong(m.group())]
    runs = [_left_to_right(m, line.start(), boxes) for m in segments]
    if len(strong) < 2 or any(after <= before for before, after in zip(strong, strong[1:])):
        return NUMBER_DRAWN.sub(r"\1\3\2", "".join(runs))  # in reading order but for a heading's ".4.2" (4.2.)
    return "".join(run if _strong(run) else run[::-1] for run in reversed(runs))


def _left_to_right(segment: re.Match, offset: int, boxes: list[tuple]) -> str:
    """A segment of a right-to-left line; one of Latin letters with its characters ordered by their
    places, leftmost first (chromium draws "sources.list" in an Arabic line piece by piece from the
    right: "list", ".", "sources").

    >>> line = "list.sources"
    >>> _left_to_right(re.match(".+", line), 0, [(x, 0, x + 1, 1) for x in [8, 9, 10, 11, 7, 0, 1, 2, 3, 4, 5, 6]])
    'sources.list'
    """
    if not LTR_LETTER.match(segment.group()):
        return segment.group()
    places = range(offset + segment.start(), offset + segment.end())
    return "".join(segment.group()[i - places.start] for i in sorted(places, key=lambda i: boxes[i][0]))


def _strong(segment: str) -> bool:
    """Whether a segment of a line is a word, run or number, read in its own direction (not spaces and marks)."""
    return bool(LTR_LETTER.match(segment) or segment[0].isdigit() or RTL_LETTER.match(segment))


def _left(boxes: list[tuple], start: int, end: int) -> float:
    """The left edge of the inked characters from start to end."""
    return min((box[0] for box in boxes[start:end] if box[2] > box[0]), default=boxes[start][0])


def _right_to_left(line: re.Match, boxes: list[tuple], page: tuple[float, float]) -> bool:
    """Whether a line runs right to left: a short line stands nearer the side it starts from (a heading of
    an Arabic page ends at the right margin, though half its letters are Latin); a full one is set
    mostly in right-to-left letters."""
    inked = [box for box in boxes[line.start():line.end()] if box[2] > box[0]]
    if not inked:
        return False
    left, right = min(box[0] for box in inked), max(box[2] for box in inked)
    if right - left < FULL_LINE * (page[1] - page[0]):
        return page[1] - right < left - page[0]
    rtl, ltr = _letters(line.group())
    return rtl >= ltr


_NAME = ctypes.create_string_buffer(96)
_BOX = [ctypes.c_double() for _ in range(4)]  # the four sides PDFium writes (each call's own order)
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
    return (abs(last.type_size - line.type_size) <= SAME_SIZE and -0.5 * height <= below <= LINE_GAP * height
            and line.left < last.right and line.right > last.left
            and (last.bold == line.bold or not (last.size and line.size)))  # a line of no letters has no weight


def _box(lines: list[Line], page_height: float) -> Box:
    """A box from its lines."""
    letters = [run for line in lines for run in line.runs if _lettered(run)]
    texts = [line.text() for line in lines]
    return Box("\n".join(text for text in texts if text.strip()),
               max((run.size for run in letters), default=0.0), max(line.top for line in lines) < page_height / 3,
               bool(letters) and all(run.bold for run in letters))
