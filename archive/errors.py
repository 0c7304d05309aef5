"""Errors the archive reports to users: each names the file or parameter and the reason."""


class ArchiveError(Exception):
    """A failure with a message fit to show a user as it is."""


class ArchiveBusy(ArchiveError):
    """Another writer holds the archive's lock."""


class DocumentNotFound(ArchiveError):
    """No document has this id."""

    def __init__(self, doc_id: str):
        super().__init__(f"no document with id {doc_id!r}")
        self.doc_id = doc_id


class SourceError(ArchiveError):
    """A source file that cannot be ingested, with the reason."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


class StoreDamaged(ArchiveError):
    """The store's database cannot be read: damaged, or not a database at all."""

    def __init__(self, path, problem):
        super().__init__(f"the store {path} is damaged ({problem}): run 'archive check --repair' to rebuild "
                         "it from the record files in records/, or restore archive.db from a backup; "
                         "the documents' original files are kept unchanged in originals/")


class NoSpace(ArchiveError):
    """The disk holding the archive is full."""

    def __init__(self, path):
        super().__init__(f"no space left on the disk holding {path}: free some space and run the command again "
                         "(nothing half-written is kept)")


def database_error(path, err: Exception) -> ArchiveError:
    """What a database error from the store means to a user: a full disk, or a damaged store.

    >>> import sqlite3
    >>> type(database_error("archive.db", sqlite3.OperationalError("database or disk is full"))).__name__
    'NoSpace'
    """
    return NoSpace(path) if "disk is full" in str(err) else StoreDamaged(path, err)
