"""Faults: searching during an ingest, a writer killed while holding the lock, a corrupted index."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from archive.lock import WriterLock
from archive.store import Store
from indexer import operations
from indexer.options import ParseOptions
from tests.browser import live_server
from tests.conftest import REPO, copy_archive
from webapp import create_app


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        with err:
            return err.code, json.load(err)


def test_search_answers_during_an_ingest_and_sees_its_documents(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    batch = tmp_path / "batch"
    batch.mkdir()
    for n in range(60):
        (batch / f"note{n:02}.txt").write_text(f"Field Note {n}\n\nThe zanzibarite sample {n} was logged. " * 40)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with live_server(create_app({"SETTINGS": settings})) as url:
        ingest = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--data-dir", str(settings.data_dir),
                                   "ingest", str(batch)], env=env, stdout=subprocess.DEVNULL)
        answers = []
        while ingest.poll() is None:
            answers.append(get_json(f"{url}/api/search?q=russia")[0])
            time.sleep(0.05)
        assert ingest.returncode == 0 and answers and set(answers) == {200}
        status, payload = get_json(f"{url}/api/search?q=zanzibarite&per_page=100")
    assert status == 200 and payload["total_documents"] == 60


def test_a_killed_writer_leaves_no_stale_lock(settings):
    settings.data_dir.mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from archive.lock import WriterLock; "
                               "lock = WriterLock(sys.argv[1]).__enter__(); print('held', flush=True); "
                               "time.sleep(60)", str(settings.data_dir)],
                              env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    started = time.monotonic()
    with WriterLock(settings.data_dir, timeout=5):
        assert time.monotonic() - started < 1


def test_a_corrupted_index_is_reported_and_rebuilt_with_nothing_lost(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    for path in settings.index_dir.iterdir():
        if path.suffix in (".toc", ".seg"):
            path.write_bytes(b"\x00garbage" * 10)
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503 and "archive reindex" in response.json["message"]
    assert operations.reindex(settings) == 5
    assert client.get("/healthz").json == {"ok": True, "documents": 5}
    assert client.get("/api/search?q=hikiwake").json["total_documents"] == 2


def _segment(settings) -> Path:
    """The corpus index's one segment file."""
    (segment,) = settings.index_dir.glob("*.seg")
    return segment


@pytest.mark.parametrize("damage", ["truncated", "overwritten"])
def test_a_damaged_segment_is_refused_then_found_and_rebuilt_by_check(corpus_settings, tmp_path, damage):
    """Never a 200 from garbage: the segment's recorded size and checksum give it away."""
    from indexer import segments

    settings = copy_archive(corpus_settings, tmp_path / "archive")
    segment = _segment(settings)
    assert set(segments.read_manifest(settings.index_dir)) == {segment.name}
    size = segment.stat().st_size
    with open(segment, "r+b") as handle:
        if damage == "truncated":
            handle.truncate(size // 2)
        else:
            handle.seek(size // 3)
            handle.write(os.urandom(4096))
    segments._sound.clear()  # as a newly started process would
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    for path in ("/api/search?q=treaty", "/healthz"):
        response = client.get(path)
        assert response.status_code == 503 and f"{segment.name} " in response.json["message"], path
    search = _cli(settings, "search", "treaty")
    assert search.returncode == 1 and "is damaged" in search.stderr and "Traceback" not in search.stderr
    problems = operations.check(settings)
    assert problems[0].endswith("rebuilt the index from the store (repaired)") and segment.name in problems[0]
    assert operations.check(settings) == []
    assert client.get("/api/search?q=treaty").json["total_documents"] == 5


def test_check_finds_a_segment_damaged_after_the_index_was_opened(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    assert operations.check(settings) == []  # this process has now hashed the segment and found it sound
    segment = _segment(settings)
    with open(segment, "r+b") as handle:
        handle.seek(segment.stat().st_size // 2)
        handle.write(b"\xff" * 64)
    assert "checksum differs" in operations.check(settings)[0]


def test_the_segment_record_follows_merges(corpus_settings, tmp_path):
    from indexer import segments

    settings = copy_archive(corpus_settings, tmp_path / "archive")
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "note.md").write_text("# A harbour note\n\nThe quay lamps were lit again in the spring.\n")
    operations.ingest([batch], settings, ParseOptions(), workers=0)
    present = {p.name for p in settings.index_dir.glob("*.seg")}
    assert set(segments.read_manifest(settings.index_dir)) == present
    assert segments.damaged_segments(settings.index_dir, again=True) == []


def test_a_running_app_sees_a_rebuilt_index(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    before = client.get("/api/search?q=hikiwake").json["total"]
    assert operations.reindex(settings) == 5
    assert client.get("/api/search?q=hikiwake").json["total"] == before > 0
    assert client.get("/healthz").json == {"ok": True, "documents": 5}


def test_an_index_deleted_while_serving_gives_503_until_check_rebuilds_it(corpus_settings, tmp_path):
    """Not a 500: every page says the index cannot be read and what to run; the same app then answers."""
    import shutil

    settings = copy_archive(corpus_settings, tmp_path / "archive")
    client = create_app({"SETTINGS": settings}).test_client()
    assert client.get("/api/search?q=treaty").status_code == 200
    shutil.rmtree(settings.index_dir)
    for path in ("/api/search?q=treaty", "/healthz", "/", "/?q=treaty"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "archive check" in response.get_data(as_text=True)
    repaired = operations.check(settings)
    assert len(repaired) == 5 and all(line.startswith("reindexed ") for line in repaired)
    assert client.get("/api/search?q=treaty").get_json()["total_documents"] == 5


def _damage(db, at_middle: bool) -> None:
    """Overwrite part of a store's database: its header, or a page in the middle."""
    import sqlite3

    connection = sqlite3.connect(db)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    with open(db, "r+b") as handle:
        handle.seek(os.path.getsize(db) // 2 if at_middle else 0)
        handle.write(os.urandom(4096) if at_middle else b"garbage" * 20)


def test_a_damaged_store_gets_one_clear_line_from_every_command(corpus_settings, corpus_ids, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    _damage(settings.data_dir / "archive.db", at_middle=False)
    for command in (["list"], ["check"], ["search", "treaty"], ["show", "x"]):
        done = _cli(settings, *command)
        assert done.returncode == 1 and "Traceback" not in done.stderr, command
        assert "is damaged (file is not a database): run 'archive check --repair'" in done.stderr, command
    client = create_app({"SETTINGS": settings}).test_client()
    response = client.get(f"/api/documents/{corpus_ids['003']}")
    assert response.status_code == 503 and "is damaged" in response.json["message"]


def _cli(settings, *args) -> subprocess.CompletedProcess:
    """Run ``archive --data-dir … ARGS`` in a new process."""
    return subprocess.run([sys.executable, "-m", "indexer.cli", "--data-dir", str(settings.data_dir), *args],
                          capture_output=True, text=True, cwd=REPO)


@pytest.mark.parametrize("at_middle", [False, True], ids=["header", "middle"])
def test_check_repair_rebuilds_a_damaged_store_from_its_record_files(corpus_settings, tmp_path, at_middle):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    before = {d.id: d.to_dict() for d in Store(settings.data_dir).documents()}
    _damage(settings.data_dir / "archive.db", at_middle)
    done = _cli(settings, "check", "--repair")
    assert done.returncode == 0, done.stderr
    assert "rebuilt the store from 5 record files in records/" in done.stdout
    store = Store(settings.data_dir)
    assert {d.id: d.to_dict() for d in store.documents()} == before and store.damage() == []
    store.close()
    assert len(list(settings.data_dir.glob("archive.db.damaged-*"))) >= 1
    assert _cli(settings, "check").stdout.strip() == "consistent"
    assert "5 documents" in _cli(settings, "search", "treaty").stdout


def test_check_repair_without_record_files_names_the_way_out(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    for record in (settings.data_dir / "records").glob("*.json"):
        record.unlink()
    _damage(settings.data_dir / "archive.db", at_middle=False)
    done = _cli(settings, "check", "--repair")
    assert done.returncode == 1 and "no record files" in done.stderr and "restore archive.db" in done.stderr
    assert (settings.data_dir / "archive.db").exists(), "a store that cannot be rebuilt is left where it is"


def test_check_writes_missing_record_files_and_removes_strays(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    records = sorted((settings.data_dir / "records").glob("*.json"))
    assert len(records) == 5
    records[0].unlink()
    records[1].write_text("{}")
    (records[0].parent / "gone-document.json").write_text("{}")
    problems = operations.check(settings)
    assert problems == ["wrote 2 record files in records/ that were missing or out of date (repaired)",
                        "removed records/gone-document.json: no document in the store has it (repaired)"]
    assert operations.check(settings) == []


def test_a_removed_document_takes_its_record_file_with_it(corpus_settings, corpus_ids, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    operations.remove(corpus_ids["003"], settings)
    assert not (settings.data_dir / "records" / f"{corpus_ids['003']}.json").exists()
    assert len(list((settings.data_dir / "records").glob("*.json"))) == 4


def test_damage_in_the_middle_of_the_store_is_found_by_check(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    _damage(settings.data_dir / "archive.db", at_middle=True)
    from archive.errors import StoreDamaged
    with pytest.raises(StoreDamaged, match="run 'archive check --repair'"):
        operations.check(settings)


def test_a_full_disk_gives_one_line_and_a_check_recovers_once_space_is_freed(tmp_path):
    """On a real 3 MB tmpfs filled up: no traceback, no half-written document, the writing flag cleared later."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], check=True)
    try:
        (disk / "filler").write_bytes(b"\0" * 2_800_000)
        archive = [sys.executable, "-m", "indexer.cli", "--data-dir", str(disk / "archive")]

        def cli(*args):
            return subprocess.run([*archive, *args], capture_output=True, text=True, cwd=REPO)
        ingest = cli("ingest", str(REPO.parent / "shared" / "corpus"))
        assert ingest.returncode == 1 and "No space left on device" in ingest.stderr
        for result in (cli("check"), cli("search", "treaty")):
            assert "Traceback" not in result.stderr, result.stderr[-500:]
        assert "no space left on the disk" in cli("check").stderr
        (disk / "filler").unlink()
        assert cli("check").stdout.strip().endswith("consistent")
        assert cli("ingest", str(REPO.parent / "shared" / "corpus")).returncode == 0
        assert "5 documents" in cli("search", "treaty").stdout
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_backup_is_a_whole_archive_that_check_makes_searchable(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    target = tmp_path / "backup"
    done = _cli(settings, "backup", str(target))
    assert done.returncode == 0 and "backed up 5 documents" in done.stdout, done.stderr
    copy = Store(target)
    original = Store(settings.data_dir)
    assert [d.to_dict() for d in copy.documents()] == [d.to_dict() for d in original.documents()]
    copy.close(), original.close()
    assert len(list((target / "records").glob("*.json"))) == 5 and not (target / "index").exists()
    checked = _cli(settings.__class__(target), "check")
    assert checked.returncode == 0 and "5 repaired" in checked.stdout
    assert "5 documents" in _cli(settings.__class__(target), "search", "treaty").stdout
    again = _cli(settings, "backup", str(target))
    assert again.returncode == 1 and "already exists: back up into a new folder" in again.stderr
