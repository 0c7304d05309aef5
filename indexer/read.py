"""Read a source file: bytes to normalised text, with the encoding detected and bad input refused."""
from __future__ import annotations

import os
import stat

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from archive.errors import SourceError
from archive.model import Metadata
from indexer.packages import read_package
from indexer.pdfsource import read_pdf

FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".epub": "epub", ".docx": "docx", ".pdf": "pdf"}
PACKAGES = ("epub", "docx")  # ZIP packages, read into one HTML page with their own metadata
MAGIC = {b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image",
         b"%PDF": "a PDF file", b"PK\x03\x04": "a ZIP archive", b"\x1f\x8b": "a gzip archive",
         b"\x7fELF": "an executable"}
BOMS = [(b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class Source:
    """A source file's bytes and its decoded text."""

    path: Path
    data: bytes
    text: str
    format: str
    encoding: str
    meta: Metadata = Metadata()  # what a package (EPUB, Word) or a PDF's info dictionary states about itself
    outline: tuple[tuple[int, str], ...] = ()  # a PDF's bookmarks: (level, title)
    pages: tuple[tuple[str, str], ...] = ()  # a PDF's (page label, page text) pairs

    @property
    def sha256(self) -> str:
        """The hash of the exact bytes, used to spot identical re-ingests."""
        return hashlib.sha256(self.data).hexdigest()


def path_text(path: Path | str) -> str:
    """A path as text that can be stored and printed: bytes of a name that are not UTF-8 as ``\\xNN``.

    >>> path_text(Path(b"/tmp/bad\\xff.txt".decode("utf-8", "surrogateescape")))
    '/tmp/bad\\\\xff.txt'
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def source_format(path: Path) -> str:
    """The format a file's extension names, or a SourceError."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(FORMATS))
        raise SourceError(path, f"unsupported file type {path.suffix or '(none)'!r} (supported: {supported})")
    return fmt


def read_source(path: Path, max_bytes: int) -> Source:
    """Read and decode one file, or raise a SourceError that names it and says why."""
    path = Path(path)
    fmt = source_format(path)
    data = read_bytes(path, max_bytes)
    if fmt in PACKAGES:
        page, meta = read_package(path, data, fmt)
        return Source(path, data, normalise_text(page), fmt, "zip", meta)
    if fmt == "pdf":
        pdf = read_pdf(path, data)
        return Source(path, data, normalise_text(pdf.text), fmt, "pdf", pdf.meta, pdf.outline, pdf.pages)
    text, encoding = decode(data, path)
    text = normalise_text(text)
    if not text.strip():
        raise SourceError(path, "no text: the file holds only white space")
    return Source(path, data, text, fmt, encoding)


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing empty, oversized, unreadable and special files (read once, at most the limit)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opened without a writer must not hang
    except PermissionError:
        raise SourceError(path, "cannot read the file: permission denied") from None
    except IsADirectoryError:
        raise SourceError(path, "is a directory, not a file") from None
    except OSError as err:
        raise SourceError(path, f"cannot read the file: {err.strerror or err}") from None
    with os.fdopen(fd, "rb") as handle:
        kind = special_kind(os.fstat(fd).st_mode)
        if kind:
            raise SourceError(path, f"is {kind}, not a regular file: only regular files are read")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as err:
            raise SourceError(path, f"cannot read the file: {err.strerror or err}") from None
    if len(data) > max_bytes:
        size = max(len(data), path.stat().st_size)
        raise SourceError(path, f"file is {size / 1048576:.1f} MB, over the {max_bytes / 1048576:g} MB limit"
                                " (raise it with --max-file-mb or ARCHIVE_MAX_FILE_MB)")
    if not data:
        raise SourceError(path, "empty file")
    return data


def special_kind(mode: int) -> str:
    """What a file that is not a regular one is ('' for a regular file).

    >>> import stat
    >>> special_kind(stat.S_IFIFO), special_kind(stat.S_IFCHR), special_kind(stat.S_IFREG)
    ('a FIFO', 'a device', '')
    """
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a directory" if stat.S_ISDIR(mode) else "a special file"


def decode(data: bytes, path: Path) -> tuple[str, str]:
    """Decode bytes to text and name the encoding used; refuse binary data."""
    for bom, encoding in BOMS:
        if data.startswith(bom):
            return _strict(data, encoding, path), encoding.replace("-sig", "")
    for magic, kind in MAGIC.items():
        if data.startswith(magic):
            raise SourceError(path, f"binary file ({kind}), not text")
    if b"\x00" in data:
        raise SourceError(path, "binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = _likeliest(data)
    if best is None or best.encoding is None:
        raise SourceError(path, "cannot decode: not UTF-8, and no other text encoding fits")
    return str(best), best.encoding


def _likeliest(data: bytes):
    """charset-normalizer's best reading of the bytes; among readings as good as it, windows-1252's.

    A short French text fitted cp1250 as well as cp1252, and "à Genève" came out "ŕ Genčve":
    windows-1252 is the legacy encoding of Western text, and what browsers assume for an unlabelled one.
    """
    matches = list(from_bytes(data))
    if not matches:
        return None
    best = matches[0]
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return next((m for m in tied if m.encoding == "cp1252"), best)


def _strict(data: bytes, encoding: str, path: Path) -> str:
    """Decode with a known encoding or explain which bytes do not fit it."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        raise SourceError(path, f"cannot decode as {encoding}: bad bytes at offset {err.start}") from None


def normalise_text(text: str) -> str:
    """NFC, Unix line ends, no control or zero-width characters; typographic quotes kept.

    >>> normalise_text("Cafe\\u0301\\r\\nnext\\u200b line\\r")
    'Café\\nnext line\\n'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", CONTROL.sub("", text))
