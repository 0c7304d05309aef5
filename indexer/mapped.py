"""Reading Whoosh's memory-mapped segments without copying them into each searcher."""
from __future__ import annotations

import io
import pickle

from whoosh.filedb import structfile


class ViewReader:
    """A read-only file over a memoryview of the mapped segment: a read copies only the bytes it returns."""

    def __init__(self, view):
        self.view, self.position = view, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.view) if size is None or size < 0 else min(self.position + size, len(self.view))
        data = bytes(self.view[self.position:end])
        self.position += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        end = len(self.view) if size is None or size < 0 else min(self.position + size, len(self.view))
        start = self.position
        while self.position < end:
            self.position += 1
            if self.view[self.position - 1] == 10:
                break
        return bytes(self.view[start:self.position])

    def seek(self, offset: int, whence: int = 0) -> int:
        self.position = offset + (0, self.position, len(self.view))[whence]
        return self.position

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self.view = memoryview(b"")


class MappedBufferFile(structfile.BufferFile):
    """Whoosh's file over a part of a memory-mapped segment, without its copy of the part.

    Whoosh wraps each part in a BytesIO, which copies it: every searcher held a private copy of the
    whole index (50 MB on the scale archive), and a server keeps a searcher per thread.
    """

    WINDOW = 4096

    def __init__(self, buf, name=None, onclose=None):
        super().__init__(b"", name, onclose)
        self._buf, self.file = buf, ViewReader(buf)

    def read_pickle(self):
        """The pickled value at the position, read from a small copied window: pickle.load asks a Python
        file for a few bytes at a time (a postings block's header took 50 reads)."""
        size, start = self.WINDOW, self.file.position
        while True:
            window = io.BytesIO(self._buf[start:start + size])
            try:
                value = pickle.load(window)
            except (EOFError, pickle.UnpicklingError):
                if start + size >= len(self._buf):
                    raise
                size *= 16  # the value runs past the window
                continue
            self.file.position = start + window.tell()
            return value
