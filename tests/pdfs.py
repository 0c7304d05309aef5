"""Small PDFs written byte by byte for the tests: pages of text lines in Helvetica, an info dictionary."""
from __future__ import annotations

import re


def make_pdf(pages: list[list[tuple]], info: dict[str, str] | None = None, outline: list[tuple[int, str]] = (),
             labels: str = "", xmp: str = "") -> bytes:
    """A PDF whose pages hold lines ``(size, x, y, text)``; ``^{12}`` in a text is a raised, smaller note marker,
    and a text starting ``**`` is set in bold.

    ``outline`` lists bookmarks as (level, title); ``labels`` is a /PageLabels number tree, e.g. ``0 << /S /r >>``.
    """
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold >>"]
    kids = []
    for lines in pages:
        stream = "".join(f"BT /F{2 if text.startswith('**') else 1} {size} Tf {x} {y} Td {_shown(text.lstrip('*'), size)}"
                         f" ET\n" for size, x, y, text in lines)
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}endstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >>"
                       f" /Contents {len(objects)} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    if outline:
        objects[0] = objects[0][:-2] + f"/Outlines {len(objects) + 1} 0 R >>"
        _add_outline(objects, outline, kids[0])
    if labels:
        objects[0] = objects[0][:-2] + f"/PageLabels << /Nums [{labels}] >> >>"
    if xmp:
        objects[0] = objects[0][:-2] + f"/Metadata {len(objects) + 1} 0 R >>"
        objects.append(f"<< /Type /Metadata /Subtype /XML /Length {len(xmp.encode('latin-1'))} >>\nstream\n{xmp}"
                       f"\nendstream")
    objects.append("<< " + " ".join(f"/{k} ({_escape(v)})" for k, v in (info or {}).items()) + " >>")
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def _add_outline(objects: list[str], outline: list[tuple[int, str]], page: str) -> None:
    """Bookmarks as an outline tree: a root, then one object per entry, children under the entry before them."""
    root = len(objects) + 1
    numbers = [root + 1 + i for i in range(len(outline))]
    parents, children = [], {root: []}
    for number, (level, _) in zip(numbers, outline):
        while len(parents) >= level:
            parents.pop()
        parent = parents[-1] if parents else root
        children.setdefault(parent, []).append(number)
        children[number] = []
        parents.append(number)
    parent_of = {child: parent for parent, kids in children.items() for child in kids}

    def links(number: int) -> str:
        kids = children[number]
        return f"/First {kids[0]} 0 R /Last {kids[-1]} 0 R /Count {len(kids)} " if kids else ""

    objects.append(f"<< /Type /Outlines {links(root)}>>")
    for number, (_, title) in zip(numbers, outline):
        siblings = children[parent_of[number]]
        at = siblings.index(number)
        near = (f"/Prev {siblings[at - 1]} 0 R " if at else "") + \
            (f"/Next {siblings[at + 1]} 0 R " if at + 1 < len(siblings) else "")
        objects.append(f"<< /Title ({_escape(title)}) /Parent {parent_of[number]} 0 R {near}{links(number)}"
                       f"/Dest [{page} /XYZ 0 792 0] >>")


def _shown(text: str, size: float) -> str:
    """The text-showing operators of one line, its markers raised and set smaller."""
    pieces = re.split(r"\^\{(\d+)\}", text)
    shown = [f"({_escape(piece)}) Tj" if i % 2 == 0 else
             f"/F1 {size * 0.6:g} Tf {size * 0.4:g} Ts ({piece}) Tj /F1 {size} Tf 0 Ts" for i, piece in enumerate(pieces)]
    return " ".join(shown)


def _escape(text: str) -> str:
    """A string for a PDF literal: backslashes and parentheses escaped."""
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
