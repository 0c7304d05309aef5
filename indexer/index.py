"""The Whoosh index, derived from the store: entries per section, footnote and document."""
from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator

from whoosh import index as whoosh_index
from whoosh import multiproc, writing
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.filedb import compound
from whoosh.util.numeric import byte_to_length

from archive.errors import ArchiveError
from archive.model import Document, strip_markers
from indexer.mapped import MappedBufferFile
from indexer.scores import segment_lengths
from indexer.schema import PassageBM25, build_schema, needs_rebuild, write_version
from indexer.scripts import language_marked, stemmed_language
from indexer.segments import damaged_segments, record_segments
from indexer.suggest import Vocabulary


class ForkserverSubWriter(multiproc.SubWriterTask):
    """Whoosh's sub-writer process, started by a fork server rather than forked from the writer.

    A forked child would inherit the archive's writer lock and could hold it after the writer is killed.
    """

    @staticmethod
    def _Popen(process_obj):
        return multiprocessing.get_context("forkserver").Process._Popen(process_obj)


class LengthsReadOnce:
    """A new segment's per-document reader whose field lengths are read once per field, as Whoosh
    writes the segment's postings (it asked the file for one byte per posting: a quarter of a commit)."""

    def __init__(self, reader):
        self._reader, self._lengths = reader, {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        """The field's length in one entry, as Whoosh's own gives it (None for no length)."""
        if fieldname not in self._lengths:
            column = self._reader._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
            self._lengths[fieldname] = None if column is None else bytes(column.load())
        codes = self._lengths[fieldname]
        if codes is None:
            return default
        code = codes[docnum] if docnum < len(codes) else 0
        return LENGTH_OF_CODE[code] if code else None

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


def _per_document_reader(writer) -> LengthsReadOnce:
    """Whoosh's SegmentWriter.per_document_reader, its lengths read once (see LengthsReadOnce)."""
    return LengthsReadOnce(_whoosh_per_document_reader(writer))


LENGTH_OF_CODE = [byte_to_length(code) for code in range(256)]
_whoosh_per_document_reader = writing.SegmentWriter.per_document_reader
writing.SegmentWriter.per_document_reader = _per_document_reader
compound.BufferFile = MappedBufferFile  # every segment Whoosh maps is read without a copy
# Whoosh's multiprocessing writer makes its tasks and queues by these names
multiproc.SubWriterTask = ForkserverSubWriter
multiproc.Queue = multiprocessing.get_context("forkserver").Queue
# the fork server imports the parsers, Whoosh and the language model once: a worker starts in milliseconds
multiprocessing.get_context("forkserver").set_forkserver_preload(["indexer.pipeline", "indexer.index", "indexer.langmodel"])


ABSTRACT_ANCHOR = "abstract"  # the reader's anchor of a document's subtitle and abstract


class IndexUnavailable(ArchiveError):
    """The index is missing, unreadable or of another schema version; ``damage`` says what is wrong, if
    it is damaged."""

    def __init__(self, message: str, damage: str = ""):
        super().__init__(message)
        self.damage = damage


@dataclass(frozen=True)
class DocumentFacts:
    """What a result list shows of a document, read from its index entry."""

    doc_id: str
    title: str
    authors: tuple[str, ...]
    date: str
    publisher: str
    language: str = ""

    @property
    def year(self) -> str:
        """The four-digit year, or ''."""
        return self.date[:4]


@dataclass(frozen=True)
class EntryTable:
    """Every entry of an index (by entry number): its document and kind; the whole-document entries and facts."""

    doc_of: list[str]
    kind_of: list[str]
    facts: dict[str, DocumentFacts]
    documents: set[int]

    @cached_property
    def languages(self) -> frozenset[str]:
        """The documents' languages that have stems of their own (``scripts.stemmed_language``)."""
        return frozenset(stemmed_language(f.language) for f in self.facts.values()) - {""}

    @classmethod
    def joined(cls, tables: list[tuple[EntryTable, int]]) -> EntryTable:
        """Segments' tables as one, each at its offset in the index's entry numbers."""
        joined = cls([], [], {}, set())
        for table, offset in tables:
            joined.doc_of.extend(table.doc_of)
            joined.kind_of.extend(table.kind_of)
            joined.facts.update(table.facts)
            joined.documents.update(offset + n for n in table.documents)
        return joined


def entries(doc: Document, record_hash: str) -> Iterator[dict]:
    """The index entries of one document: the document as a whole, each section, each footnote.

    A text field's value is opened by the document's language where that has its own stems
    (``language_marked``); the stored text is the text alone.
    """
    language = doc.meta.language
    shared = {
        "doc_id": doc.id, "title": language_marked(doc.meta.title, language), "authors": " ; ".join(doc.meta.authors),
        "publisher": doc.meta.publisher,
    }
    facts = {"title": doc.meta.title, "authors": list(doc.meta.authors), "date": doc.meta.date,
             "publisher": doc.meta.publisher, "language": language}
    # no text: searches skip this entry, and its short text skewed the passages' average length
    yield {**shared, "kind": "document", "facts": facts, "record_hash": record_hash}

    def texts(section_title: str, content: str) -> dict:
        return {"section_title": language_marked(section_title, language), "_stored_section_title": section_title,
                "content": language_marked(content, language), "_stored_content": content}
    opening = "\n\n".join(filter(None, (doc.meta.subtitle, doc.meta.abstract)))
    if opening:  # searched like a section, opened at the reader's abstract
        yield {**shared, "kind": "body", "section_id": ABSTRACT_ANCHOR, **texts("", opening)}
    for section in doc.sections:
        yield {**shared, "kind": "body", "section_id": section.id, "pages": section.pages,
               **texts(section.title, "\n\n".join(strip_markers(p) for p in section.paragraphs))}
    for note in doc.footnotes:
        section = doc.section(note.section_id)
        yield {**shared, "kind": "footnote", "section_id": note.section_id, "note_number": note.number,
               "pages": [note.page] if note.page else [], **texts(section.title if section else "", note.text)}


class ArchiveIndex:
    """A Whoosh index directory; only this module and ``search`` touch Whoosh."""

    def __init__(self, index_dir: Path):
        self.dir = Path(index_dir)
        if needs_rebuild(self.dir) or not any(self.dir.glob("*.toc")):
            raise IndexUnavailable(f"no usable index at {self.dir} (missing or built with another schema "
                                   "version): run 'archive reindex'")
        _refuse_damaged_segments(self.dir)
        self.ix = _open(self.dir)
        self.rebuilt_because = ""  # why rebuild() made this index, when it did
        self._local = threading.local()
        self._cache: tuple[tuple | None, dict] = (None, {})
        self._kept: dict[str, tuple[tuple, object]] = {}
        self._rebuilding = threading.Lock()
        self._segment_tables: dict[tuple[str, int], EntryTable] = {}
        self._lengths: dict[tuple[str, str], bytes] = {}
        self._query_schemas: dict[tuple[str, ...], object] = {}

    @classmethod
    def create(cls, index_dir: Path) -> ArchiveIndex:
        """A new, empty index in ``index_dir`` (replacing whatever was there)."""
        index_dir = Path(index_dir)
        if index_dir.exists():
            shutil.rmtree(index_dir)
        index_dir.mkdir(parents=True)
        whoosh_index.create_in(index_dir, build_schema())
        write_version(index_dir)
        return cls(index_dir)

    @classmethod
    def open_or_create(cls, index_dir: Path) -> ArchiveIndex:
        """The index in ``index_dir``; a new one if there is none yet."""
        if not Path(index_dir).exists() or not any(Path(index_dir).iterdir()):
            return cls.create(index_dir)
        return cls(index_dir)

    @contextmanager
    def writer(self, procs: int = 1):
        """A writer that commits (without merging) on success and cancels on any error."""
        kwargs = {"procs": procs, "multisegment": True} if procs > 1 else {}
        writer = self.ix.writer(**kwargs)
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=False)
        record_segments(self.dir)

    def merge_small_segments(self) -> None:
        """Merge the smallest segments into one, by Whoosh's usual policy (cheap: large ones are left).

        Batches commit without merging, for speed; this keeps many small ingests from leaving many
        small segments, each of which every search would have to open and read.
        """
        self.ix.writer().commit(merge=True)
        record_segments(self.dir)

    def put(self, writer, doc: Document, record_hash: str, new: bool = False) -> None:
        """Replace every entry of a document with its current ones (``new``: it has none yet)."""
        if not new:
            writer.delete_by_term("doc_id", doc.id)
        for entry in entries(doc, record_hash):
            writer.add_document(**entry)

    @staticmethod
    def remove(writer, doc_id: str) -> None:
        """Remove every entry of a document."""
        writer.delete_by_term("doc_id", doc_id)

    def query_schema(self, *aliases: str):
        """The schema with extra names for the content field, for a query parser (made once per index)."""
        if aliases not in self._query_schemas:
            schema = self.ix.schema.copy()
            for alias in aliases:
                schema.add(alias, schema["content"])
            self._query_schemas[aliases] = schema
        return self._query_schemas[aliases]

    def document_hashes(self) -> dict[str, str]:
        """Each indexed document id with the record hash it was indexed from."""
        with self.ix.searcher() as searcher:
            return {fields["doc_id"]: fields.get("record_hash", "")
                    for fields in searcher.documents(kind="document")}

    def document_facts(self, searcher) -> dict[str, DocumentFacts]:
        """Title, authors, date and publisher of every document."""
        return self.entry_table(searcher).facts

    def document_entry_numbers(self, searcher) -> set[int]:
        """The entry numbers of the whole-document entries (a search masks them; do not change the set)."""
        return self.entry_table(searcher).documents

    def entry_table(self, searcher) -> EntryTable:
        """What every entry of the searcher's index version is, built from its segments' tables.

        A segment's table is read once and kept while the segment lives (and loses no entry), so a
        commit that adds a segment reads only that segment.
        """
        return self._per_version("entries", searcher, lambda: self._joined_tables(searcher))

    def _joined_tables(self, searcher) -> EntryTable:
        """The tables of the searcher's segments, joined at their entry number offsets."""
        # an index with no segment yet has one stand-in reader, which has no segment
        leaves = [(r, offset) for r, offset in searcher.reader().leaf_readers() if r.segment() is not None]
        keys = [(reader.segment().segment_id(), reader.segment().deleted_count()) for reader, _ in leaves]
        kept = self._segment_tables
        self._segment_tables = {key: kept.get(key) or _segment_table(reader) for key, (reader, _) in zip(keys, leaves)}
        live = {segment for segment, _ in keys}
        self._lengths = {key: codes for key, codes in self._lengths.items() if key[0] in live}
        return EntryTable.joined([(self._segment_tables[key], offset) for key, (_, offset) in zip(keys, leaves)])

    def field_lengths(self, reader, fieldname: str) -> bytes:
        """A segment's length code of a field for each of its entries, read once while the segment lives."""
        key = (reader.segment().segment_id(), fieldname)
        if key not in self._lengths:
            self._lengths[key] = segment_lengths(reader, fieldname)
        return self._lengths[key]

    def vocabulary(self, searcher) -> Vocabulary:
        """The indexed words (stems) of the text, for "did you mean".

        Reading them takes 130 ms on the scale archive: after a commit the previous version's words
        keep answering while a background thread reads the new ones, so no request waits for them.
        """
        version = self._version_of(searcher)
        kept = self._kept.get("vocabulary")
        if kept is None:
            kept = self._kept["vocabulary"] = (version, _read_vocabulary(searcher))
        elif kept[0] != version and self._rebuilding.acquire(blocking=False):
            threading.Thread(target=self._rebuild_vocabulary, daemon=True).start()
        return kept[1]

    def _rebuild_vocabulary(self) -> None:
        """Read the words of the index's latest version with a searcher of its own (run in a thread)."""
        try:
            with self.searcher() as searcher:
                self._kept["vocabulary"] = (self._version_of(searcher), _read_vocabulary(searcher))
        finally:
            self._rebuilding.release()

    def _per_version(self, name: str, searcher, compute):
        """A value kept until the index changes; unlike per_generation's, never dropped before that."""
        version = self._version_of(searcher)
        kept = self._kept.get(name)
        if kept is None or kept[0] != version:
            kept = self._kept[name] = (version, compute())
        return kept[1]

    def per_generation(self, searcher, key, compute):
        """A value computed once while the index stays the same (emptied at each commit, and when large)."""
        generation = self._version_of(searcher)
        cached_generation, cache = self._cache
        if generation != cached_generation or len(cache) > 2000:
            cache = {}
            self._cache = (generation, cache)
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def optimize(self) -> None:
        """Merge all segments into one (slow; for after large batches)."""
        self.ix.optimize()
        record_segments(self.dir)

    def searcher(self):
        """A new searcher; the caller closes it."""
        return self.ix.searcher(weighting=PassageBM25())

    def thread_searcher(self):
        """This thread's searcher, reopened only when a commit has made it stale; never close it.

        Opening a searcher costs about 9 ms on the 20,000-entry scale archive, so each server thread keeps
        one (a searcher is never shared between threads) and reopens it when the index changes.
        """
        current = getattr(self._local, "searcher", None)
        try:
            version = self._version()
            if current is not None and current.archive_version == version:
                return current
            _refuse_damaged_segments(self.dir)
            if current is not None:
                # not Whoosh's refresh(): it keeps a segment's reader when the segment has since lost entries
                # (segments compare by id alone), and adds back segments a merge has replaced
                self._local.searcher = None
                current.close()
            fresh = self.searcher()
            fresh.archive_version = self._version_of(fresh)  # the version it reads: a commit may have come since
        except IndexUnavailable:
            raise
        except Exception as err:  # gone (deleted, a disk unmounted) or damaged: Whoosh raises many kinds
            raise IndexUnavailable(f"the index at {self.dir} cannot be read ({err}): run 'archive check' "
                                   "or 'archive reindex'") from None
        self._local.searcher = fresh
        return fresh

    def _version(self) -> tuple[int, int]:
        """Which index is on disk: its directory (a rebuild swaps in a new one) and its latest commit."""
        return os.stat(self.dir).st_ino, self.ix.latest_generation()

    def _version_of(self, searcher) -> tuple[int, int]:
        """The version of the index a searcher reads."""
        return getattr(searcher, "archive_version", None) or (os.stat(self.dir).st_ino, searcher.reader().generation())

    def count(self, kind: str | None = None) -> int:
        """How many entries there are (of one kind)."""
        with self.ix.searcher() as searcher:
            return searcher.doc_count() if kind is None else len(list(searcher.document_numbers(kind=kind)))


def _segment_table(reader) -> EntryTable:
    """One segment's table: each entry's document and kind, its documents' facts, all read from columns.

    A column lies in one run per segment. Read from the doc_id postings (term by term) and the stored
    fields (between the passages' text), the table brought most of the index's pages into every worker.
    """
    count = reader.doc_count_all()
    deleted = reader.deleted_docs_set if reader.has_deletions() else frozenset()
    doc_of, kind_of = [""] * count, [""] * count
    for field, column in (("doc_id", doc_of), ("kind", kind_of)):
        one = {}  # each value kept once, not once per entry
        for number, value in enumerate(reader.column_reader(field)):
            if number not in deleted:
                column[number] = one.setdefault(value, value)
    documents = {number for number, kind in enumerate(kind_of) if kind == "document"}
    column, facts = reader.column_reader("facts"), {}
    for number in documents:
        f = column[number]
        facts[doc_of[number]] = DocumentFacts(doc_of[number], f["title"], tuple(f["authors"]), f["date"],
                                              f["publisher"], f.get("language", ""))
    return EntryTable(doc_of, kind_of, facts, documents)


def _read_vocabulary(searcher) -> Vocabulary:
    """The stems of the text field."""
    return Vocabulary(t.decode("utf-8") if isinstance(t, bytes) else t for t in searcher.reader().lexicon("content"))


def _open(index_dir: Path):
    """Open the Whoosh index and read its table of contents and segments, where damage shows."""
    problem = ""
    with warnings.catch_warnings():  # Whoosh leaves a damaged file open when it refuses it
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh_index.open_dir(index_dir)
            ix.reader().close()
        except Exception as err:  # Whoosh raises many kinds on a damaged directory
            problem = str(err)
        if problem:
            gc.collect()
    if problem:
        raise IndexUnavailable(f"the index at {index_dir} cannot be read ({problem}): run 'archive reindex'",
                               f"the index at {index_dir} cannot be read ({problem})")
    return ix


def segment_damage(index_dir: Path, again: bool = False) -> str:
    """What is wrong with the index's segment files ('' when they hold the bytes that were written;
    ``again``: hash those this process has found sound too)."""
    damaged = damaged_segments(index_dir, again)
    return f"the index at {index_dir} is damaged ({'; '.join(damaged[:3])})" if damaged else ""


def _refuse_damaged_segments(index_dir: Path) -> None:
    """IndexUnavailable if a segment file no longer holds the bytes that were written."""
    damage = segment_damage(index_dir)
    if damage:
        raise IndexUnavailable(f"{damage}: run 'archive check' or 'archive reindex'", damage)


def rebuild(index_dir: Path, documents: Iterable[tuple[Document, str]], reason: str = "") -> ArchiveIndex:
    """Build a fresh index beside the old one from (document, record hash) pairs, then swap it in."""
    index_dir = Path(index_dir)
    fresh_dir = index_dir.with_name(index_dir.name + ".rebuild")
    fresh = ArchiveIndex.create(fresh_dir)
    with fresh.writer() as writer:
        for doc, record_hash in documents:
            for entry in entries(doc, record_hash):
                writer.add_document(**entry)
    fresh.ix.close()
    old_dir = index_dir.with_name(index_dir.name + ".old")
    if index_dir.exists():
        shutil.rmtree(old_dir, ignore_errors=True)
        index_dir.rename(old_dir)
    fresh_dir.rename(index_dir)
    shutil.rmtree(old_dir, ignore_errors=True)
    rebuilt = ArchiveIndex(index_dir)
    rebuilt.rebuilt_because = reason
    return rebuilt
