"""What the CLI and the web app do to an archive: ingest, remove, reindex, check, open for reading.

Every write holds the writer lock. A batch is written to the store inside one SQLite transaction
that commits only after the index has committed, so a failure or kill leaves no partial document;
a ``writing`` flag left by a killed writer makes the next writer reconcile the index with the store.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from archive.config import Settings
from archive.errors import ArchiveError, DocumentNotFound, SourceError, StoreDamaged
from archive.lock import WriterLock
from archive.model import Document, Metadata
from archive.store import Store, file_sha256, record_hash, records_dir
from indexer.index import ArchiveIndex, IndexUnavailable, rebuild, segment_damage
from indexer.options import ParseOptions
from indexer.parsepool import parse_limited, start_fork_server
from indexer.pipeline import SIDECAR_SUFFIXES, parse_file
from indexer.read import FORMATS, path_text, read_bytes, source_format
from indexer.search import MAX_PAGE, MAX_PER_PAGE, SearchRequest, search
from indexer.variants import VARIANTS_FILE, read_variants

BATCH_SIZE = 2000
# a batch also commits after this long, so progress shows and a kill loses little; not much less:
# each batch leaves a Whoosh segment per writer process, and every segment slows every search
BATCH_SECONDS = 15.0
INDEX_PARALLEL_FROM = 100  # files to ingest; starting index writer processes costs about 0.2 s


@dataclass
class IngestReport:
    """What an ingest did, file by file."""

    added: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    replaced: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # files of a folder in a format the archive does not read

    def to_dict(self) -> dict:
        """The JSON shape of ``archive ingest --json``."""
        return asdict(self)


def collect_sources(paths: Iterable[Path], follow_symlinks: bool = False,
                    skipped: list[dict] | None = None) -> tuple[list[Path], list[dict]]:
    """Supported files among the paths, folders walked recursively (links to folders not followed).

    In a folder, a link to a file is followed only while its target stays inside the folder, unless
    ``follow_symlinks``; only regular files are read (a FIFO or a device is refused when it is read).
    A folder's visible files in other formats are put in ``skipped``, if given.
    """
    found: list[Path] = []
    failed: list[dict] = []
    skipped = [] if skipped is None else skipped

    def unreadable(err: OSError) -> None:  # a folder os.walk cannot list is reported, not skipped
        failed.append({"path": path_text(err.filename), "error": f"cannot read the folder: {err.strerror}"})
    for path in map(Path, paths):
        if path.is_dir():
            inside = path.resolve()
            for root, dirs, files in os.walk(path, followlinks=False, onerror=unreadable):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                skipped += [{"path": path_text(Path(root, f)), "error": f"unsupported file type {Path(f).suffix or '(none)'!r}"}
                            for f in sorted(files) if not _ingestible(f) and not f.startswith(".")
                            and not f.endswith(SIDECAR_SUFFIXES)]
                for file in (Path(root, f) for f in sorted(files) if _ingestible(f)):
                    outside = _link_outside(file, inside) if not follow_symlinks else ""
                    if outside:
                        failed.append({"path": path_text(file), "error": outside})
                    else:
                        found.append(file)
        elif not path.exists() and not path.is_symlink():
            failed.append({"path": path_text(path), "error": "no such file or folder"})
        else:
            try:
                source_format(path)
                found.append(path)
            except SourceError as err:
                failed.append({"path": path_text(path), "error": err.reason})
    return found, failed


def _link_outside(file: Path, folder: Path) -> str:
    """Why a link in a folder is not followed ('' for a file, or a link whose target is inside the folder)."""
    if not file.is_symlink():
        return ""
    target = file.resolve()
    if target.is_relative_to(folder):
        return ""
    return f"a link to {path_text(target)}, outside the folder: not followed (--follow-symlinks follows it)"


def _ingestible(name: str) -> bool:
    """True for a supported, visible file that is not a sidecar."""
    return (not name.startswith(".") and Path(name).suffix.lower() in FORMATS
            and not name.endswith(SIDECAR_SUFFIXES))


def parse_all(files: list[Path], options: ParseOptions, workers: int | None = None) -> Iterator[tuple[Path, Document | str]]:
    """Each file with its Document or its error message, in order.

    Parsed by worker processes under the options' time and memory limits (``indexer.parsepool``);
    ``workers=0`` parses in this process, without limits (for tests that change the parser).
    """
    if workers == 0:
        for path in files:
            yield path, _parse_or_error(path, options)
        return
    yield from parse_limited(files, options, workers or os.cpu_count() or 1, _parse_or_error)


def _parse_or_error(path: Path, options: ParseOptions) -> Document | str:
    """A Document, or the one-line reason it could not be made."""
    try:
        return parse_file(path, options)
    except SourceError as err:  # a sidecar's error names the sidecar
        return err.reason if Path(err.path) == Path(path) else f"{Path(err.path).name}: {err.reason}"
    except MemoryError:  # the worker's memory limit: reported as such by indexer.parsepool
        raise
    except Exception as err:  # a parser bug must fail one file, never the batch
        return f"could not be parsed ({type(err).__name__}: {err})"


@contextmanager
def writable(settings: Settings):
    """The store and index under the writer lock, repaired first if a writer died mid-batch."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with WriterLock(settings.data_dir, settings.lock_timeout):
        store = Store(settings.data_dir)
        try:
            index = _index_for_writing(settings, store)
            if store.get_state("writing"):
                reconcile(store, index)
                store.set_state("writing", None)
            yield store, index
        finally:
            store.close()


def _index_for_writing(settings: Settings, store: Store) -> ArchiveIndex:
    """The index, rebuilt from the store if it is missing, unreadable or of an old schema."""
    try:
        return ArchiveIndex.open_or_create(settings.index_dir)
    except IndexUnavailable as err:  # rebuilt without a word when it was only of another schema version
        return rebuild(settings.index_dir, ((d, record_hash(d)) for d in store.documents()), err.damage)


def ingest(paths: Iterable[Path], settings: Settings, options: ParseOptions,
           on_file: Callable[[str, dict], None] | None = None, workers: int | None = None,
           follow_symlinks: bool = False, on_start: Callable[[int], None] | None = None) -> IngestReport:
    """Add every supported file under ``paths``; report each as added, unchanged, replaced or failed
    (``on_start`` is told how many files there are to report first)."""
    report = IngestReport()
    if workers != 0:
        start_fork_server()
    files, report.failed = collect_sources(paths, follow_symlinks, report.skipped)
    if on_start:
        on_start(len(files) + len(report.failed))
    notify = on_file or (lambda outcome, item: None)
    for item in report.failed:
        notify("failed", item)
    with writable(settings) as (store, index):
        procs = (os.cpu_count() or 1) if len(files) >= INDEX_PARALLEL_FROM else 1
        with Batch(store, index, procs, report, notify) as batch:
            for path, parsed in parse_all(files, options, workers):
                data = None if isinstance(parsed, str) else _bytes_parsed(path, parsed.source.sha256, options)
                if isinstance(parsed, str) or isinstance(data, str):
                    item = {"path": path_text(path), "error": parsed if isinstance(parsed, str) else data}
                    report.failed.append(item)
                    notify("failed", item)
                    continue
                outcome = _classify(store, parsed)
                if outcome == "unchanged":
                    item = {"path": path_text(path), "id": store.id_for_content(parsed.source.sha256),
                            "title": parsed.meta.title}
                    report.unchanged.append(item)
                    notify("unchanged", item)
                    continue
                store.save_original(data, parsed.source.sha256, Path(path).suffix)
                batch.add(outcome, parsed)
        if report.added or report.replaced:
            _merge_small_segments(index)
    return report


def _merge_small_segments(index: ArchiveIndex) -> None:
    """Merge the index's small segments after an ingest; a failure loses nothing already added."""
    try:
        index.merge_small_segments()
    except OSError as err:
        raise ArchiveError(f"the documents were added, but merging the index's segments failed ({err}); "
                           "searching works, and the next ingest tries again") from err


def _bytes_parsed(path: Path, sha256: str, options: ParseOptions) -> bytes | str:
    """The file's bytes to keep as its original, or the reason they cannot be: the file changed since
    it was parsed, so the original would not be what was indexed.

    Read as the parse read it (regular files only, at most the size limit): a file swapped for a FIFO
    in between must not hang the ingest.
    """
    try:
        data = read_bytes(Path(path), options.max_bytes)
    except SourceError as err:
        return f"cannot be read again to be kept ({err.reason})"
    if hashlib.sha256(data).hexdigest() != sha256:
        return "the file changed while it was being ingested: ingest it again"
    return data


def _classify(store: Store, doc: Document) -> str:
    """unchanged (same bytes and metadata already kept), replaced (same path and new bytes, or the same
    bytes with new metadata; keeps its id) or added.

    The store answers for the open batch too: its transaction sees its own uncommitted documents.
    """
    same = store.id_for_content(doc.source.sha256)
    old_id = same or store.id_for_path(doc.source.path)
    if old_id:
        kept = store.get(old_id)
        doc.corrected(kept.corrections if kept is not None else {})
        if same and (kept is None or kept.meta == doc.meta):
            return "unchanged"
        doc.id = old_id  # new bytes at the same path, or the same file with new metadata (a sidecar, flags)
        return "replaced"
    while store.get(doc.id) is not None:
        doc.id += "-1"
    return "added"


class Batch:
    """Documents written to the store and the index as they come, committed together: all or nothing.

    The index writer is open while files are still being parsed, so its processes index the batch
    alongside the parsers instead of after them. A batch commits at BATCH_SIZE documents or after
    BATCH_SECONDS, so progress shows and a kill loses little.
    """

    def __init__(self, store: Store, index: ArchiveIndex, procs: int, report: IngestReport,
                 notify: Callable[[str, dict], None]):
        self.store, self.index, self.procs, self.report, self.notify = store, index, procs, report, notify
        self.items: list[tuple[str, dict]] = []
        self.open: ExitStack | None = None
        self.started = 0.0

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if error is None:
            self.commit()
        elif self.open is not None:
            self._close(kind, error, traceback)

    def add(self, outcome: str, doc: Document) -> None:
        """Write one document to the open batch (opening one first), committing when it is full."""
        if self.open is None:
            self.store.set_state("writing", str(os.getpid()))
            self.open, self.started = ExitStack(), time.monotonic()
            self.open.enter_context(self.store.transaction())
            self.writer = self.open.enter_context(self.index.writer(procs=self.procs))
        self.items.append((outcome, {"path": doc.source.path, "id": doc.id, "title": doc.meta.title,
                                     "kept": round(doc.extraction.kept_share, 2),
                                     "kept_little": doc.extraction.kept_little}))
        with self._failures_explained():
            self.index.put(self.writer, doc, self.store.put(doc), new=outcome == "added")
        if len(self.items) >= BATCH_SIZE or time.monotonic() - self.started >= BATCH_SECONDS:
            self.commit()

    def commit(self) -> None:
        """Commit the index, then the store, then report the batch's documents."""
        if self.open is None:
            return
        with self._failures_explained():
            self._close(None, None, None)
        self.store.set_state("writing", None)
        for outcome, item in self.items:
            getattr(self.report, outcome).append(item)
            self.notify(outcome, item)
        self.items.clear()

    def _close(self, kind, error, traceback) -> None:
        """Leave the writer and the transaction: commit both, or on an error cancel both."""
        stack, self.open = self.open, None
        stack.__exit__(kind, error, traceback)

    @contextmanager
    def _failures_explained(self):
        """Turn a failed write (a full disk, a read-only mount) into one message, after cancelling the batch."""
        try:
            yield
        except (OSError, sqlite3.OperationalError) as err:
            if self.open is not None:
                self._close(type(err), err, err.__traceback__)
            raise ArchiveError(f"writing to the archive at {self.store.data_dir} failed ({err}): the last "
                               f"{len(self.items)} documents were not added; those reported before them "
                               "were") from err


def remove(doc_id: str, settings: Settings) -> Document:
    """Remove a document from the store and the index; the original file is kept."""
    with writable(settings) as (store, index):
        doc = store.get(doc_id)
        if doc is None:
            raise DocumentNotFound(doc_id)
        store.set_state("writing", str(os.getpid()))
        with store.transaction():
            store.delete(doc_id)
            with index.writer() as writer:
                index.remove(writer, doc_id)
        store.set_state("writing", None)
        return doc


def edit(doc_id: str, changes: Metadata, settings: Settings) -> Document:
    """Correct a stored document's metadata (each field ``changes`` states wins), in the store and the index."""
    with writable(settings) as (store, index):
        doc = store.get(doc_id)
        if doc is None:
            raise DocumentNotFound(doc_id)
        doc.corrected({name: value for name, value in asdict(changes).items() if value})
        with Batch(store, index, 1, IngestReport(), lambda outcome, item: None) as batch:
            batch.add("replaced", doc)
        return doc


def reindex(settings: Settings) -> int:
    """Rebuild the whole index from the store; returns the number of documents indexed."""
    with writable(settings) as (store, _):
        index = rebuild(settings.index_dir, ((d, record_hash(d)) for d in store.documents()))
        return index.count("document")


def reconcile(store: Store, index: ArchiveIndex) -> list[str]:
    """Make the index agree with the store; returns one line per repair."""
    stored, indexed = store.hashes(), index.document_hashes()
    stale = sorted(i for i, h in stored.items() if indexed.get(i) != h)
    orphans = sorted(set(indexed) - set(stored))
    if stale or orphans:
        with index.writer() as writer:
            for doc_id in stale:
                index.put(writer, store.get(doc_id), stored[doc_id])
            for doc_id in orphans:
                index.remove(writer, doc_id)
    return [f"reindexed {i} (missing or out of date in the index)" for i in stale] + \
           [f"removed {i} from the index (not in the store)" for i in orphans]


def check(settings: Settings) -> list[str]:
    """Check that store, originals and index agree, repairing the index; returns what was found."""
    with writable(settings) as (store, index):
        damage = store.damage()
        if damage:
            raise StoreDamaged(settings.data_dir / "archive.db", "; ".join(damage[:3]))
        damage = segment_damage(settings.index_dir, again=True)
        if damage:
            index = rebuild(settings.index_dir, ((d, record_hash(d)) for d in store.documents()), damage)
        problems = ([f"{index.rebuilt_because}: rebuilt the index from the store (repaired)"] if index.rebuilt_because
                    else []) + reconcile(store, index) + check_originals(store) + check_records(store)
        for stray in sorted(store.originals_dir.glob("*.tmp")):  # the writer lock is held: no ingest writes them
            stray.unlink()
            problems.append(f"removed {stray.name}: an original an ingest had not finished writing (repaired)")
        return problems


def backup(settings: Settings, target: Path) -> int:
    """Copy the archive's store, originals and record files to a new folder; returns the documents copied.

    The catalog is copied with SQLite's backup API, so it is consistent while an ingest runs, and only
    the originals its records name are copied. The copy is made beside the target and renamed into
    place, so a failure leaves no half backup. The index is not copied: 'archive check' there rebuilds it.
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ArchiveError(f"{path_text(target)} already exists: back up into a new folder")
    partial = target.with_name(target.name + ".partial")
    with readable(settings) as (store, _):
        try:
            shutil.rmtree(partial, ignore_errors=True)
            (partial / "originals").mkdir(parents=True)
            store.backup_to(partial / "archive.db")
            copied = Store(partial)
            try:
                count = _copy_documents(store, copied)
            finally:
                copied.close()
            if (settings.data_dir / VARIANTS_FILE).exists():
                shutil.copy2(settings.data_dir / VARIANTS_FILE, partial / VARIANTS_FILE)
            if target.exists():
                target.rmdir()
            os.replace(partial, target)
        except (OSError, sqlite3.Error) as err:
            shutil.rmtree(partial, ignore_errors=True)
            raise ArchiveError(f"backing up to {path_text(target)} failed ({err}): nothing was kept there") from err
    return count


def _copy_documents(source: Store, copy: Store) -> int:
    """Each document the copy's catalog holds: its original (copied, never linked: damage to one must not
    reach the other) and its record file."""
    count = 0
    for doc_id, record in copy.records():
        doc = copy.get(doc_id)
        shutil.copy2(source.original_path(doc), copy.original_path(doc))
        copy.save_record(doc_id, record)
        count += 1
    return count


def check_records(store: Store) -> list[str]:
    """Each record's JSON copy in records/: written where missing or out of date, removed where its
    document is gone."""
    written, kept = 0, set()
    for doc_id, record in store.records():
        kept.add(doc_id)
        path = store.record_path(doc_id)
        if not path.exists() or path.read_bytes() != record.encode():
            store.save_record(doc_id, record)
            written += 1
    problems = [f"wrote {written} record files in records/ that were missing or out of date (repaired)"] if written else []
    strays = [p for p in store.records_dir.glob("*.json*") if p.name.endswith(".tmp") or p.stem not in kept]
    for stray in sorted(strays):
        stray.unlink()
        problems.append(f"removed records/{stray.name}: no document in the store has it (repaired)")
    return problems


def repair_store(settings: Settings) -> list[str]:
    """Check the archive, first rebuilding a damaged store from its record files; returns what was done.

    The damaged database is moved aside, never deleted, and the index is rebuilt from the new store.
    """
    with WriterLock(settings.data_dir, settings.lock_timeout):
        problem = _store_damage(settings.data_dir)
        done = [_rebuild_store(settings, problem)] if problem else []
    return done + check(settings)


def _store_damage(data_dir: Path) -> str:
    """What is wrong with the store's database ('' when it opens and SQLite finds it sound)."""
    try:
        store = Store(data_dir)
    except StoreDamaged as err:
        return str(err)
    try:
        return "; ".join(store.damage()[:3])
    finally:
        store.close()


def _rebuild_store(settings: Settings, problem: str) -> str:
    """A new store made from records/*.json, and the index rebuilt from it; the old database kept aside."""
    records = sorted(records_dir(settings.data_dir).glob("*.json"))
    if not records:
        raise ArchiveError(f"{problem}\nthere are no record files in {records_dir(settings.data_dir)} to rebuild "
                           "the store from: restore archive.db from a backup")
    aside = f"archive.db.damaged-{time.strftime('%Y%m%d-%H%M%S')}"
    for suffix in ("", "-wal", "-shm"):
        old = settings.data_dir / f"archive.db{suffix}"
        if old.exists():
            os.replace(old, settings.data_dir / f"{aside}{suffix}")
    store = Store(settings.data_dir)
    try:
        unreadable = []
        with store.transaction():
            for path in records:
                try:
                    store.put(Document.from_dict(json.loads(path.read_text(encoding="utf-8"))))
                except (ValueError, KeyError, TypeError) as err:
                    unreadable.append(f"{path.name} ({type(err).__name__})")
        rebuild(settings.index_dir, ((d, record_hash(d)) for d in store.documents()))
    finally:
        store.close()
    skipped = f"; {len(unreadable)} unreadable, left as they are: {', '.join(unreadable[:5])}" if unreadable else ""
    return (f"rebuilt the store from {len(records) - len(unreadable)} record files in records/, and the index "
            f"from it; the damaged database is kept as {aside}{skipped} (repaired)")


def check_originals(store: Store) -> list[str]:
    """Each document's kept original: present, and holding the bytes its hash names."""
    problems = []
    for doc in store.documents():
        path = store.original_path(doc)
        if not path.exists():
            problems.append(f"{doc.id}: the original file is missing from the store (cannot be repaired)")
        elif file_sha256(path) != doc.source.sha256:
            problems.append(f"{doc.id}: the original file {path.name} does not hold the bytes its hash names "
                            "(it was changed or damaged; ingest the source again to replace it)")
    return problems


@contextmanager
def readable(settings: Settings):
    """The store and the index for reading; no lock, readers never block the writer."""
    if not (settings.data_dir / "archive.db").exists():
        raise ArchiveError(f"no archive at {settings.data_dir}: ingest documents first ('archive ingest PATH')")
    store = Store(settings.data_dir)
    try:
        yield store, ArchiveIndex(settings.index_dir)
    finally:
        store.close()


def variants(settings: Settings) -> tuple[tuple[str, ...], ...]:
    """The archive's name-variant groups (none if it has no variants file)."""
    return read_variants(settings.data_dir / VARIANTS_FILE)


def query_documents(store: Store, index: ArchiveIndex, query: str, variants_groups=(), searcher=None) -> list[Document]:
    """Every document a query finds, in result order, without its text (for exporting all results)."""
    found: list[str] = []
    for page in range(1, MAX_PAGE + 1):
        result = search(index, SearchRequest(query, page=page, per_page=MAX_PER_PAGE, passages=0), searcher,
                        variants_groups)
        found += [d.facts.doc_id for d in result.documents]
        if page >= result.pages:
            break
    return store.heads(found)
