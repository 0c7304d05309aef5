"""Settings read once from flags and the environment, then passed in as a frozen dataclass."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MAX_FILE_MB = 20
DEFAULT_PARSE_SECONDS = 60.0
DEFAULT_PARSE_MEMORY_MB = 2048
SETTINGS_ENV = {
    "ARCHIVE_DATA_DIR": "where the archive lives (store, originals, index)",
    "ARCHIVE_MAX_FILE_MB": "largest source file ingest accepts, in MB",
    "ARCHIVE_PARSE_SECONDS": "seconds one file may take to read before ingest stops it and reports it",
    "ARCHIVE_PARSE_MEMORY_MB": "memory (address space, in MB) one file's reader may use before it is stopped",
    "ARCHIVE_LOCK_TIMEOUT": "seconds a writer waits for another writer before saying the archive is busy",
    "ARCHIVE_BASE_URL": "the public address of 'archive serve', for the reader links of citations and the API",
}


def default_data_dir() -> Path:
    """The archive's home when neither --data-dir nor ARCHIVE_DATA_DIR is given."""
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "longform-archive"


@dataclass(frozen=True)
class Settings:
    """Where the archive lives and the limits it enforces."""

    data_dir: Path
    max_file_bytes: int = DEFAULT_MAX_FILE_MB * 1024 * 1024
    lock_timeout: float = 10.0
    base_url: str = ""  # '' when not set: links are relative, citations carry no reader URL
    parse_seconds: float = DEFAULT_PARSE_SECONDS
    parse_memory_mb: int = DEFAULT_PARSE_MEMORY_MB

    def __post_init__(self):
        object.__setattr__(self, "data_dir", Path(self.data_dir))

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None, environ=os.environ) -> Settings:
        """Settings from an explicit data dir, else the environment, else the defaults."""
        chosen = data_dir or environ.get("ARCHIVE_DATA_DIR") or default_data_dir()
        max_mb = _number(environ, "ARCHIVE_MAX_FILE_MB", DEFAULT_MAX_FILE_MB)
        timeout = _number(environ, "ARCHIVE_LOCK_TIMEOUT", 10.0)
        base_url = environ.get("ARCHIVE_BASE_URL", "").strip().rstrip("/")
        seconds = _number(environ, "ARCHIVE_PARSE_SECONDS", DEFAULT_PARSE_SECONDS)
        memory = int(_number(environ, "ARCHIVE_PARSE_MEMORY_MB", DEFAULT_PARSE_MEMORY_MB))
        return cls(Path(chosen).expanduser(), int(max_mb * 1024 * 1024), timeout, base_url, seconds, memory)

    @property
    def index_dir(self) -> Path:
        """The derived Whoosh index."""
        return self.data_dir / "index"


def _number(environ, name: str, default: float) -> float:
    """A positive number from the environment, with a clear error naming the variable."""
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ValueError(f"{name}={raw!r} must be greater than zero")
    return value
