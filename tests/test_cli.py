"""The archive command, through click's CliRunner, on real archives in temporary directories."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from click.testing import CliRunner

from archive.config import SETTINGS_ENV
from indexer.cli import cli

from .conftest import CORPUS, REPO, SAMPLES


def run(settings, *args):
    return CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), *args], obj={})


def test_ingest_json_reports_each_file_and_fails_with_status_1(settings, tmp_path):
    bad = tmp_path / "empty.txt"
    bad.write_text("")
    result = run(settings, "ingest", "--json", str(SAMPLES), str(bad))
    report = json.loads(result.output)
    assert result.exit_code == 1
    assert sorted(report) == ["added", "failed", "replaced", "skipped", "unchanged"]
    assert {item["title"] for item in report["added"]} == {
        "Harbours and Their Keepers: A Survey of Small Ports", "Reading Old Tide Tables", "The Last Lighthouse Keepers"}
    assert all(item["id"] for item in report["added"])
    assert report["failed"] == [{"path": str(bad), "error": "empty file"}]


def test_ingest_lines_then_unchanged_then_replaced(settings, tmp_path):
    source = tmp_path / "note.md"
    source.write_text("# A Short Note\n\nThe first version of a note about harbours and their keepers.\n")
    first = run(settings, "ingest", str(source))
    assert first.exit_code == 0 and first.output.startswith("added") and "1 added" in first.output
    assert "1 unchanged" in run(settings, "ingest", str(source)).output
    doc_id = json.loads(run(settings, "list", "--json").output)[0]["id"]
    source.write_text("# A Short Note\n\nThe second version, now about lighthouses.\n")
    assert "1 replaced" in run(settings, "ingest", str(source)).output
    listed = json.loads(run(settings, "list", "--json").output)
    assert [row["id"] for row in listed] == [doc_id]
    hits = json.loads(run(settings, "search", "--json", "lighthouses").output)["hits"]
    assert [h["doc_id"] for h in hits] == [doc_id]
    assert json.loads(run(settings, "search", "--json", "harbours").output)["total"] == 0


def test_a_folders_files_in_other_formats_are_listed_as_skipped(settings, tmp_path):
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "note.md").write_text("# A Short Note\n\nA note about harbours and their keepers, long enough.\n")
    for name in ("draft.rtf", "old.rtf", "budget.xlsx", ".hidden.rtf"):
        (folder / name).write_text("x")
    (folder / "note.meta.yaml").write_text("publisher: Harbour Board\n")  # a sidecar is no skipped file
    result = run(settings, "ingest", str(folder))
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == ("1 added, 0 replaced, 0 unchanged, 0 failed, "
                                              "3 skipped (unsupported file types: .rtf 2, .xlsx 1)")
    report = json.loads(run(settings, "ingest", "--json", str(folder)).output)
    assert [Path(item["path"]).name for item in report["skipped"]] == ["budget.xlsx", "draft.rtf", "old.rtf"]


def test_search_lines_count_in_the_singular_and_snippets_stay_on_one_line(settings, tmp_path):
    source = tmp_path / "note.md"
    source.write_text("# A Short Note\n\nThe quay lamps were lit.\n\nThe quay was swept again.\n")
    run(settings, "ingest", str(source))
    output = run(settings, "search", "lamps").output.splitlines()
    assert output[-1] == "1 match in 1 document" and "(1 match)" in output[0]
    assert all(line.strip() for line in output)


def test_flags_override_extracted_metadata(settings):
    result = run(settings, "ingest", "--json", "--title", "Given Title", "--author", "A. One", "--author", "B. Two",
                 "--date", "2020-02", str(SAMPLES / "harbour-report.txt"))
    doc_id = json.loads(result.output)["added"][0]["id"]
    record = json.loads(run(settings, "show", "--json", doc_id).output)
    assert (record["title"], record["authors"], record["date"]) == ("Given Title", ["A. One", "B. Two"], "2020-02")


def test_bad_date_flag_is_a_usage_error(settings):
    result = run(settings, "ingest", "--date", "2020-13-01", str(SAMPLES))
    assert result.exit_code == 2 and "--date" in result.output


def test_show_json_has_the_record_fields(settings):
    run(settings, "ingest", str(SAMPLES / "harbour-report.txt"))
    doc_id = json.loads(run(settings, "list", "--json").output)[0]["id"]
    record = json.loads(run(settings, "show", "--json", doc_id).output)
    for key in ("id", "title", "subtitle", "authors", "date", "publisher", "series", "number", "isbn", "url",
                "language", "abstract", "sections", "footnotes"):
        assert key in record
    assert set(record["sections"][0]) >= {"id", "title", "level", "paragraphs"}
    assert set(record["footnotes"][0]) >= {"number", "text", "section_id", "cited", "refers_to"}
    assert record["footnotes"][3]["refers_to"] == [3]


def test_search_json_shape_and_query_errors(corpus_settings):
    result = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "search", "--json", "--limit", "3",
                                      "hikiwake"], obj={})
    payload = json.loads(result.output)
    assert payload["total_documents"] == 2
    assert {h["doc_id"] for h in payload["hits"]} == {d["doc_id"] for d in payload["documents"]}
    assert set(payload["hits"][0]) == {"doc_id", "title", "authors", "date", "section_id", "section_title", "kind",
                                       "note_number", "snippet", "page", "language"}
    assert "<mark>hikiwake</mark>" in payload["hits"][0]["snippet"].lower()
    empty = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "search", " "], obj={})
    assert empty.exit_code == 2 and "empty" in empty.output


def test_remove_reindex_check(settings):
    run(settings, "ingest", str(SAMPLES))
    doc_id = json.loads(run(settings, "list", "--json").output)[0]["id"]
    assert run(settings, "remove", doc_id).exit_code == 0
    missing = run(settings, "remove", doc_id)
    assert missing.exit_code == 1 and "no document with id" in missing.output
    assert run(settings, "reindex").output.strip() == "reindexed 2 documents"
    assert run(settings, "check").output.strip() == "consistent"


def test_only_the_index_seam_imports_whoosh():
    """Whoosh stays behind a few indexer modules, the ones the README names, so it can be replaced."""
    importing = sorted(str(path.relative_to(REPO)) for folder in ("archive", "indexer", "webapp")
                       for path in (REPO / folder).rglob("*.py")
                       if re.search(r"^\s*(from|import) whoosh", path.read_text(encoding="utf-8"), re.M))
    assert importing == ["indexer/docmatch.py", "indexer/index.py", "indexer/mapped.py", "indexer/schema.py", "indexer/scores.py",
                         "indexer/search.py"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert all(f"`{path}`" in readme for path in importing)


def test_missing_archive_is_a_clean_error(settings):
    result = run(settings, "show", "nope")
    assert result.exit_code == 1 and "no archive at" in result.output


def test_readme_documents_every_command_and_setting():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"archive {name}" in readme, name
    for variable in SETTINGS_ENV:
        assert variable in readme, variable


def test_corpus_ingests_from_the_command_line(settings):
    result = run(settings, "ingest", str(CORPUS))
    assert result.exit_code == 0 and "5 added" in result.output


def test_serve_runs_the_app_on_gunicorn(corpus_settings, monkeypatch):
    served = {}
    monkeypatch.setattr("webapp.server.serve", lambda make_app, *args: served.update(app=make_app(), args=args))
    result = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "serve", "--port", "5099"], obj={})
    assert result.exit_code == 0 and "Serving 5 documents" in result.output
    assert served["args"] == ("127.0.0.1", 5099, 2 * (os.cpu_count() or 1), 2) and not served["app"].debug
    assert served["app"].test_client().get("/healthz").json["documents"] == 5


def test_serve_on_a_taken_port_says_so_and_how_to_choose_another(corpus_settings, monkeypatch):
    monkeypatch.setattr("webapp.server.serve", lambda *args: pytest.fail("gunicorn must not be started"))
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "serve", "--port", str(port)],
                                    obj={})
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}: the port is taken by another program" in result.output
    assert "--port" in result.output and f"make run PORT={port + 1}" in result.output


def test_serve_warns_when_the_index_is_missing(settings, monkeypatch):
    monkeypatch.setattr("webapp.server.serve", lambda *args: None)
    run(settings, "ingest", str(SAMPLES / "tide-tables.md"))
    shutil.rmtree(settings.index_dir)
    result = run(settings, "serve")
    assert result.exit_code == 0 and "archive reindex" in result.output


def test_serve_answers_from_several_worker_processes(corpus_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "indexer.cli", "--data-dir", str(corpus_settings.data_dir),
                               "serve", "--port", str(port), "--workers", "2", "--threads", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        answers = [_get_json(f"http://127.0.0.1:{port}/api/search?q=hikiwake") for _ in range(6)]
        assert all(a["total_documents"] == 2 for a in answers)
        with pytest.raises(urllib.error.HTTPError) as too_long:  # 30 kB of request line, past gunicorn's default
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={'%C3%BC' * 5000}", timeout=10)
        assert too_long.value.code == 400 and json.load(too_long.value)["param"] == "q"
        with pytest.raises(urllib.error.HTTPError) as past_cap:  # 100 kB: refused by the server's line cap
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={'x' * 100_000}", timeout=10)
        refused = json.load(past_cap.value)
        assert past_cap.value.code == 414 and refused["param"] == "q" and "64 kB" in refused["message"]
        assert set(refused) == {"ok", "status", "error", "message", "param"}
        deadline = time.monotonic() + 30
        while len(_children(server.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_children(server.pid)) == 2
    finally:
        server.terminate()
        code = server.wait(timeout=30)
        errors = server.stderr.read().decode()
        server.stderr.close()
    assert code == 0, errors


def _children(pid: int) -> list[str]:
    """The ids of a process's child processes."""
    return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()


def _get_json(url: str, wait: float = 30.0) -> dict:
    """The JSON at a URL, retried while the server starts."""
    deadline = time.monotonic() + wait
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.load(response)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_check_verifies_originals_and_removes_stray_temporary_files(settings):
    run(settings, "ingest", str(SAMPLES / "tide-tables.md"))
    originals = settings.data_dir / "originals"
    kept = next(p for p in originals.iterdir() if p.suffix == ".md")
    stray = originals / f"{'0' * 64}.txt.tmp"
    stray.write_bytes(b"half an original")
    kept.write_bytes(kept.read_bytes() + b"\nchanged afterwards\n")
    output = run(settings, "check").output
    assert "does not hold the bytes its hash names" in output and f"removed {stray.name}" in output
    assert not stray.exists()
