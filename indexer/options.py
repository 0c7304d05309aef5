"""Parsing options, passed into the pipeline as one frozen value (never read from globals)."""
from __future__ import annotations

from dataclasses import dataclass, field

from archive.config import DEFAULT_MAX_FILE_MB, DEFAULT_PARSE_MEMORY_MB, DEFAULT_PARSE_SECONDS
from archive.model import Metadata


@dataclass(frozen=True)
class ParseOptions:
    """What a parse may read, how long and in how much memory, and which metadata the user gave explicitly."""

    max_bytes: int = DEFAULT_MAX_FILE_MB * 1024 * 1024
    overrides: Metadata = field(default_factory=Metadata)
    seconds: float = DEFAULT_PARSE_SECONDS
    memory_mb: int = DEFAULT_PARSE_MEMORY_MB
