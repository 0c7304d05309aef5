"""One writer at a time: an OS file lock that dies with its process, so a kill never leaves it stale."""
from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from archive.errors import ArchiveBusy


class WriterLock:
    """Exclusive lock on an archive directory; waits up to ``timeout`` seconds, then raises ArchiveBusy."""

    def __init__(self, data_dir: Path, timeout: float = 10.0):
        self.path = Path(data_dir) / ".writer.lock"
        self.timeout = timeout
        self._fd: int | None = None

    def __enter__(self) -> WriterLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
                    os.close(fd)
                    raise ArchiveBusy(
                        f"the archive at {self.path.parent} is busy: another writer (pid {holder}) "
                        f"holds it; waited {self.timeout:g}s"
                    ) from None
                time.sleep(0.1)
        try:  # the holder's pid is only for the "busy" message: a full disk must not stop the writer
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
        except OSError:
            pass
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
