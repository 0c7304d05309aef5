"""Bad input, failures and kills: clear errors, and nothing half-written."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import zlib

import pytest

from archive.errors import ArchiveBusy, ArchiveError
from archive.lock import WriterLock
from archive.store import Store
from indexer import operations
from indexer.index import ArchiveIndex
from indexer.options import ParseOptions
from indexer.schema import VERSION_FILE

from .conftest import REPO, SAMPLES

GOOD = b"A Title\n\nA paragraph of ordinary text that is long enough to be read as the body.\n"


@pytest.mark.parametrize("name, data, reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"   \n\n  ", "only white space"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "binary file (a PNG image)"),
    ("archive.html", b"PK\x03\x04" + zlib.compress(b"x" * 100), "binary file (a ZIP archive)"),
    ("nul.md", b"text\x00with a NUL", "NUL bytes"),
    ("big.txt", b"word " * 300_000, "over the 1 MB limit"),
    ("report.pdf", b"%PDF-1.4", "damaged PDF file"),
    ("slides.pptx", b"PK\x03\x04", "unsupported file type '.pptx'"),
])
def test_bad_files_fail_alone_with_a_reason(settings, tmp_path, name, data, reason):
    bad = tmp_path / name
    bad.write_bytes(data)
    good = tmp_path / "good.txt"
    good.write_bytes(GOOD)
    report = operations.ingest([bad, good], settings, ParseOptions(max_bytes=1024 * 1024))
    assert len(report.added) == 1
    assert [f["path"] for f in report.failed] == [str(bad)] and reason in report.failed[0]["error"]
    assert operations.check(settings) == []


@pytest.mark.parametrize("encoding", ["utf-16", "cp1252", "latin-1"])
def test_other_encodings_are_decoded_and_named(settings, tmp_path, encoding):
    path = tmp_path / "doc.txt"
    path.write_bytes("Un rapport\n\nLa réunion a eu lieu à Paris, où les délégués ont parlé longtemps.\n".encode(encoding))
    report = operations.ingest([path], settings, ParseOptions())
    with operations.readable(settings) as (store, _):
        doc = store.get(report.added[0]["id"])
    assert "réunion" in doc.sections[0].paragraphs[0] and doc.source.encoding not in ("", "utf-8")


@pytest.mark.parametrize("text, encoding", [
    ("Un séminaire à Genève\n\nRéunion à Genève, café et thé. Les élèves étaient là.\n", "cp1252"),
    ("Курильские острова\n\nВопрос о Курильских островах остаётся открытым.\n", "cp1251"),
    ("Zażółć gęślą jaźń\n\nPowiedział, że łódź płynie dalej.\n", "cp1250"),
])
def test_a_legacy_encoding_is_read_as_written(tmp_path, text, encoding):
    from indexer.read import decode

    assert decode(text.encode(encoding), tmp_path / "doc.txt")[0] == text


def test_html_scripts_are_never_indexed(settings, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Page</title><script>var secret='scriptword';</script></head><body>"
                    "<article><p onclick=\"alert('handlerword')\">Visible text about harbours and tides.</p>"
                    "<iframe src='x'>framedword</iframe></article></body></html>")
    operations.ingest([page], settings, ParseOptions())
    with operations.readable(settings) as (_, index), index.searcher() as searcher:
        text = " ".join(str(f) for f in searcher.all_stored_fields())
    assert "harbours" in text and not any(w in text for w in ("scriptword", "handlerword", "framedword"))


def test_a_failed_index_commit_leaves_store_and_index_as_before(settings, monkeypatch):
    operations.ingest([SAMPLES / "tide-tables.md"], settings, ParseOptions())

    def broken_put(self, writer, doc, record_hash, new=False):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ArchiveIndex, "put", broken_put)
    with pytest.raises(ArchiveError, match="No space left on device.*were not added"):
        operations.ingest([SAMPLES / "harbour-report.txt"], settings, ParseOptions())
    monkeypatch.undo()
    store = Store(settings.data_dir)
    assert len(store.ids()) == 1 and store.get_state("writing")
    store.close()
    assert operations.check(settings) == []
    assert ArchiveIndex(settings.index_dir).count("document") == 1


def test_a_second_writer_waits_then_says_busy(settings):
    settings.data_dir.mkdir(parents=True)
    with WriterLock(settings.data_dir, timeout=1):
        with pytest.raises(ArchiveBusy, match=f"pid {os.getpid()}"):
            operations.ingest([SAMPLES], settings, ParseOptions())
    assert len(operations.ingest([SAMPLES], settings, ParseOptions()).added) == 3


def test_old_schema_version_is_rebuilt_not_misread(settings):
    operations.ingest([SAMPLES], settings, ParseOptions())
    (settings.index_dir / VERSION_FILE).write_text('{"schema_version": 0}')
    with pytest.raises(operations.IndexUnavailable):
        ArchiveIndex(settings.index_dir)
    assert operations.check(settings) == []
    assert ArchiveIndex(settings.index_dir).count("document") == 3


def test_deleted_index_is_restored_by_reindex(settings):
    operations.ingest([SAMPLES], settings, ParseOptions())
    for path in settings.index_dir.iterdir():
        path.unlink()
    assert operations.reindex(settings) == 3


def test_kill_during_ingest_leaves_a_consistent_archive(settings, tmp_path):
    batch = tmp_path / "batch"
    batch.mkdir()
    for n in range(600):
        (batch / f"doc{n:03}.txt").write_text(f"Document {n}\n\n" + f"Paragraph {n} about harbour number {n}. " * 200)
    env = {**os.environ, "ARCHIVE_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(REPO)}
    command = "import indexer.operations as o; o.BATCH_SIZE = 100; from indexer.cli import main; main()"
    proc = subprocess.Popen([sys.executable, "-c", command, "ingest", str(batch)],  # six batches
                            env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    reported = []
    for line in proc.stdout:
        if line.startswith("added"):
            reported.append(line)
        if reported:  # the first batch is in: kill in the middle of the next one
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    os.killpg(proc.pid, signal.SIGKILL)  # the parsing workers the killed command left behind
    # an original being written when the kill came is left as a .tmp file, which check removes
    assert all(problem.endswith("(repaired)") for problem in operations.check(settings))
    assert operations.check(settings) == []
    with operations.readable(settings) as (store, index):
        assert len(reported) <= len(store.ids()) < 600 and index.count("document") == len(store.ids())
    report = operations.ingest([batch], settings, ParseOptions())
    assert not report.failed and len(report.added) + len(report.unchanged) == 600


def test_small_ingests_do_not_pile_up_segments(settings, tmp_path):
    for n in range(14):
        note = tmp_path / f"note{n}.md"
        note.write_text(f"# Note {n}\n\nA short note about harbour {n} and its tides.\n")
        operations.ingest([note], settings, ParseOptions())
    segments = list(settings.index_dir.glob("*.seg"))
    assert 0 < len(segments) < 14
    assert ArchiveIndex(settings.index_dir).count("document") == 14
