"""Small PDFs written byte by byte for the tests: pages of text lines in Helvetica, an info dictionary."""
from __future__ import annotations

import re


def make_pdf(pages: list[list[tuple]], info: dict[str, str] | None = None) -> bytes:
    """A PDF whose pages hold lines ``(size, x, y, text)``; ``^{12}`` in a text is a raised, smaller note marker."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        stream = "".join(f"BT /F1 {size} Tf {x} {y} Td {_shown(text, size)} ET\n" for size, x, y, text in lines)
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}endstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                       f" /Contents {len(objects)} 0 R >>")
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
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


def _shown(text: str, size: float) -> str:
    """The text-showing operators of one line, its markers raised and set smaller."""
    pieces = re.split(r"\^\{(\d+)\}", text)
    shown = [f"({_escape(piece)}) Tj" if i % 2 == 0 else
             f"/F1 {size * 0.6:g} Tf {size * 0.4:g} Ts ({piece}) Tj /F1 {size} Tf 0 Ts" for i, piece in enumerate(pieces)]
    return " ".join(shown)


def _escape(text: str) -> str:
    """A string for a PDF literal: backslashes and parentheses escaped."""
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
