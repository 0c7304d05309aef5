"""The store, the archive's source of truth: a SQLite catalog of document records and the original files.

Each committed record is also kept as ``records/<id>.json``, written after its transaction commits,
so that a damaged ``archive.db`` can be rebuilt from them (``archive check --repair``).
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from archive.errors import database_error
from archive.model import Document

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    record_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha ON documents(sha256);
CREATE INDEX IF NOT EXISTS documents_path ON documents(source_path);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def record_hash(doc: Document) -> str:
    """A fingerprint of a document's record, kept in the index to tell a stale entry."""
    return _hash_of(_canonical(doc))


def _canonical(doc: Document) -> str:
    """A document's record as JSON with sorted keys: what the store keeps and the hash is taken of."""
    return json.dumps(doc.to_dict(), sort_keys=True, ensure_ascii=False)


def _hash_of(canonical: str) -> str:
    """The fingerprint of a record's canonical JSON."""
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def records_dir(data_dir: Path) -> Path:
    """Where an archive keeps the JSON copy of each record (``records/<id>.json``)."""
    return Path(data_dir) / "records"


class Store:
    """Document records in ``archive.db`` and originals under ``originals/``, both under ``data_dir``."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.originals_dir = self.data_dir / "originals"
        self.originals_dir.mkdir(parents=True, exist_ok=True)
        self.records_dir = records_dir(self.data_dir)
        self._unsaved: dict[str, str | None] = {}  # records (None: deleted) whose files wait for a commit
        self.db = sqlite3.connect(self.data_dir / "archive.db", timeout=30, isolation_level=None,
                                  check_same_thread=False)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise database_error(self.data_dir / "archive.db", err) from None

    def damage(self) -> list[str]:
        """What SQLite's own check finds wrong with the database ([] when it is sound)."""
        try:
            rows = [row[0] for row in self.db.execute("PRAGMA integrity_check")]
        except sqlite3.DatabaseError as err:
            return [str(err)]
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        """Close the catalog connection."""
        self.db.close()

    def backup_to(self, path: Path) -> None:
        """Copy the catalog to ``path`` with SQLite's backup API: a consistent copy while writers go on."""
        target = sqlite3.connect(path)
        try:
            self.db.backup(target)
        finally:
            target.close()

    @contextmanager
    def transaction(self):
        """Commit everything written inside on success, roll it all back on error or kill."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.db.execute("ROLLBACK")
            self._unsaved.clear()
            raise
        self.db.execute("COMMIT")
        self._save_records()

    def put(self, doc: Document) -> str:
        """Insert or replace a document record; returns its record hash."""
        record = _canonical(doc)
        fingerprint = _hash_of(record)
        self.db.execute(
            "INSERT OR REPLACE INTO documents (id, source_path, sha256, record_hash, title, record)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (doc.id, doc.source.path, doc.source.sha256, fingerprint, doc.meta.title, record),
        )
        self._record_changed(doc.id, record)
        return fingerprint

    def delete(self, doc_id: str) -> bool:
        """Remove a record; True if there was one."""
        found = self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0
        self._record_changed(doc_id, None)
        return found

    def _record_changed(self, doc_id: str, record: str | None) -> None:
        """Note a record's new text (None: gone) for its file, written once the change is committed."""
        self._unsaved[doc_id] = record
        if not self.db.in_transaction:
            self._save_records()

    def _save_records(self) -> None:
        """Write (or remove) the files of the records changed by the last commit."""
        try:
            for doc_id, record in self._unsaved.items():
                if record is None:
                    self.record_path(doc_id).unlink(missing_ok=True)
                else:
                    self.save_record(doc_id, record)
        except OSError:  # the commit stands: the catalog is the truth, and 'archive check' writes the copy
            pass
        finally:
            self._unsaved.clear()

    def record_path(self, doc_id: str) -> Path:
        """Where the JSON copy of a document's record is kept."""
        return self.records_dir / f"{doc_id}.json"

    def save_record(self, doc_id: str, record: str) -> None:
        """Write a record's JSON copy atomically: a reader never sees half a file."""
        self.records_dir.mkdir(exist_ok=True)
        target = self.record_path(doc_id)
        tmp = target.with_name(target.name + ".tmp")
        tmp.write_text(record, encoding="utf-8")
        os.replace(tmp, target)

    def records(self) -> Iterator[tuple[str, str]]:
        """Each document id with its record's canonical JSON, as the catalog holds it."""
        yield from self.db.execute("SELECT id, record FROM documents ORDER BY id")

    def get(self, doc_id: str) -> Document | None:
        """The document with this id, or None."""
        row = self.db.execute("SELECT record FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return Document.from_dict(json.loads(row[0])) if row else None

    def heads(self, doc_ids: list[str]) -> list[Document]:
        """The documents with these ids, in that order, without their text (metadata and source only)."""
        found = {}
        for start in range(0, len(doc_ids), 500):
            chunk = doc_ids[start:start + 500]
            rows = self.db.execute(
                "SELECT id, json_remove(record, '$.sections', '$.footnotes', '$.parts') FROM documents "
                f"WHERE id IN ({','.join('?' * len(chunk))})", chunk)
            found.update((doc_id, Document.from_dict(json.loads(record))) for doc_id, record in rows)
        return [found[i] for i in doc_ids if i in found]

    def documents(self) -> Iterator[Document]:
        """Every document, by title."""
        for (record,) in self.db.execute("SELECT record FROM documents ORDER BY title COLLATE NOCASE, id"):
            yield Document.from_dict(json.loads(record))

    def ids(self) -> list[str]:
        """Every document id."""
        return [row[0] for row in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def hashes(self) -> dict[str, str]:
        """Each document id with its record hash."""
        return dict(self.db.execute("SELECT id, record_hash FROM documents"))

    def id_for_content(self, sha256: str) -> str | None:
        """The id of a document whose source had exactly these bytes."""
        row = self.db.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def id_for_path(self, source_path: str) -> str | None:
        """The id of the document ingested from this path."""
        row = self.db.execute("SELECT id FROM documents WHERE source_path = ?", (source_path,)).fetchone()
        return row[0] if row else None

    def get_state(self, key: str) -> str | None:
        """A value from the small key-value state table."""
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_state(self, key: str, value: str | None) -> None:
        """Set (or with None, clear) a state value; committed at once unless in a transaction."""
        if value is None:
            self.db.execute("DELETE FROM state WHERE key = ?", (key,))
        else:
            self.db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, value))

    def save_original(self, data: bytes, sha256: str, suffix: str) -> Path:
        """Keep the source bytes unchanged, named by their hash; written atomically."""
        target = self.originals_dir / f"{sha256}{suffix.lower()}"
        if not target.exists():
            tmp = target.with_name(target.name + ".tmp")
            with open(tmp, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        return target

    def original_path(self, doc: Document) -> Path:
        """Where the original bytes of a document are kept."""
        return self.originals_dir / f"{doc.source.sha256}{Path(doc.source.path).suffix.lower()}"
