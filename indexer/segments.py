"""Checksums of the index's segment files, so damage is found instead of read as results.

Whoosh never changes a segment file once a commit has written it (deletions live in the table of
contents), so each one's size and SHA-256 are recorded once, after the commit that made it. A
process opening the index hashes each segment once (about 90 ms for the scale benchmark's 56 MB),
so garbage is refused before it is read and a truncated file never crashes a reader that maps it;
``archive check`` hashes them all again.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from archive.store import file_sha256

MANIFEST = "segments.json"


def record_segments(index_dir: Path) -> None:
    """Add each new segment file's size and hash to the manifest, and drop the files that are gone."""
    index_dir = Path(index_dir)
    known = read_manifest(index_dir)
    current = {path.name: path for path in index_dir.glob("*.seg")}
    manifest = {name: known.get(name) or _fingerprint(path) for name, path in sorted(current.items())}
    if manifest != known:
        tmp = index_dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=0))
        os.replace(tmp, index_dir / MANIFEST)


def read_manifest(index_dir: Path) -> dict[str, dict]:
    """Each recorded segment file's size and hash ({} for an index that has none recorded yet)."""
    try:
        manifest = json.loads((Path(index_dir) / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) else {}


def damaged_segments(index_dir: Path, again: bool = False) -> list[str]:
    """The recorded segment files that differ from their record, each with what differs.

    A file this process has found sound is not hashed again unless ``again`` (``archive check``).
    """
    found = []
    for name, expected in read_manifest(index_dir).items():
        path = Path(index_dir) / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue  # a merge removed it since; the table of contents no longer names it
        seen = (str(path), stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if stat.st_size != expected.get("size"):
            found.append(f"{name} has {stat.st_size} bytes where {expected.get('size')} were written")
        elif (again or seen not in _sound) and file_sha256(path) != expected.get("sha256"):
            found.append(f"{name} does not hold the bytes that were written (its checksum differs)")
        else:
            _sound.add(seen)
    return found


_sound: set[tuple] = set()  # segment files (path, inode, size, mtime) this process has hashed and found sound


def _fingerprint(path: Path) -> dict:
    """A segment file's size and SHA-256."""
    return {"size": path.stat().st_size, "sha256": file_sha256(path)}
