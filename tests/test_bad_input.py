"""More bad input: each file fails alone with a reason naming it, or ingests correctly; the archive stays consistent."""
from __future__ import annotations

import json
import os
import random
from pathlib import Path

import pytest

from indexer import operations
from indexer.options import ParseOptions

GOOD = b"A Good Title\n\nA paragraph of ordinary text that is long enough to be read as the body.\n"
NESTED = ("<html><body><article>" + "<div>" * 5000 + "<p>Deep harbour text.</p>" + "</div>" * 5000
          + "</article></body></html>").encode()


def ingest_beside_a_good_file(settings, tmp_path: Path, bad: Path, max_mb: float = 1,
                              workers: int = 1) -> operations.IngestReport:
    """Ingest a folder holding the bad file and a good one; the good one must always get in."""
    (tmp_path / "good.txt").write_bytes(GOOD)
    report = operations.ingest([tmp_path], settings, ParseOptions(max_bytes=int(max_mb * 1024 * 1024)),
                               workers=workers)
    assert any(item["path"].endswith("good.txt") for item in report.added)
    assert operations.check(settings) == []
    return report


def failure_for(report, path: Path) -> str:
    return next(item["error"] for item in report.failed if item["path"] == str(path))


@pytest.mark.parametrize("name, data, reason", [
    pytest.param("random.txt", random.Random(7).randbytes(4096), "binary", id="random-bytes"),
    pytest.param("broken.md", b"---\ntitle: [unclosed\n---\n\nText of the note.\n", "front matter", id="front-matter"),
])
def test_bad_files_fail_alone(settings, tmp_path, name, data, reason):
    bad = tmp_path / name
    bad.write_bytes(data)
    assert reason in failure_for(ingest_beside_a_good_file(settings, tmp_path, bad), bad)


def yaml_alias_bomb() -> str:
    """A YAML mapping whose last alias stands for 9**8 values."""
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for before, level in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{level}: &{level} [{', '.join([f'*{before}'] * 9)}]")
    return "\n".join([*lines, "title: *i", ""])


@pytest.mark.parametrize("name, sidecar, reason", [
    ("paper.meta.json", "{not json", "not valid JSON"),
    ("paper.meta.json", '{"date": "2021-02-30"}', "2021-02-30"),
    ("paper.meta.yaml", "title: [unclosed", "not valid YAML"),
    ("paper.meta.yaml", yaml_alias_bomb(), "more than 10,000 values once its aliases (*name) are expanded"),
    ("paper.meta.yml", "title: " + "[" * 40 + "]" * 40, "nested more than 16 deep"),
])
def test_bad_sidecars_fail_their_document_alone(settings, tmp_path, name, sidecar, reason):
    source = tmp_path / "paper.txt"
    source.write_bytes(GOOD.replace(b"Good", b"Other"))
    (tmp_path / name).write_text(sidecar)
    error = failure_for(ingest_beside_a_good_file(settings, tmp_path, source), source)
    assert name in error and reason in error


def test_a_yaml_sidecar_with_a_few_aliases_is_read(settings, tmp_path):
    source = tmp_path / "paper.txt"
    source.write_bytes(GOOD.replace(b"Good", b"Other"))
    (tmp_path / "paper.meta.yaml").write_text("names: &who [Ann Lee]\nauthor: *who\ntitle: Harbour Report\n")
    report = ingest_beside_a_good_file(settings, tmp_path, source)
    assert "Harbour Report" in [item["title"] for item in report.added]


def test_mixed_line_endings_read_as_one_text(settings, tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"Mixed Endings\r\n\r\nFirst paragraph line\rcontinues here.\n\nSecond paragraph.\r\n")
    report = ingest_beside_a_good_file(settings, tmp_path, path)
    with operations.readable(settings) as (store, _):
        doc = store.get(next(i["id"] for i in report.added if i["path"] == str(path)))
    text = " ".join(p for s in doc.sections for p in s.paragraphs)
    assert "\r" not in text and "First paragraph line continues here." in text


def test_one_line_of_five_megabytes_is_ingested(settings, tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_bytes(b"Long line " + b"harbour tide " * 400_000)
    report = ingest_beside_a_good_file(settings, tmp_path, path, max_mb=8)
    assert any(i["path"] == str(path) for i in report.added)


def test_deeply_nested_html_is_ingested(settings, tmp_path):
    path = tmp_path / "nested.html"
    path.write_bytes(NESTED)
    report = ingest_beside_a_good_file(settings, tmp_path, path)
    assert any(i["path"] == str(path) for i in report.added) or "nested" in failure_for(report, path)


def test_symlink_loop_is_not_followed(settings, tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    report = ingest_beside_a_good_file(settings, tmp_path, tmp_path / "loop")
    assert len(report.added) == 1 and not report.failed


def test_unreadable_file_names_the_file(settings, tmp_path, monkeypatch):
    path = tmp_path / "secret.txt"
    path.write_bytes(GOOD.replace(b"Good", b"Secret"))
    real_open = os.open

    def refuse(file, *args, **kwargs):  # tests run as root, for whom chmod 000 does not stop a read
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)  # in this process: parsed here (workers=0)
    error = failure_for(ingest_beside_a_good_file(settings, tmp_path, path, workers=0), path)
    assert error == "cannot read the file: permission denied"


def test_sidecar_values_are_kept_in_the_record(settings, tmp_path):
    source = tmp_path / "paper.txt"
    source.write_bytes(GOOD)
    (tmp_path / "paper.meta.json").write_text(json.dumps({"date": "2020-02-29", "author": ["A. Writer"]}))
    report = operations.ingest([source], settings, ParseOptions(), workers=1)
    with operations.readable(settings) as (store, _):
        doc = store.get(report.added[0]["id"])
    assert doc.meta.date == "2020-02-29" and doc.meta.authors == ("A. Writer",)


def test_a_file_name_that_is_not_utf8_loses_nothing(settings, tmp_path):
    """Its bytes are written \\xNN in the record and the report; the batch lands whole."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / b"bad\xff.txt".decode("utf-8", "surrogateescape")).write_bytes(GOOD.replace(b"Good", b"Odd"))
    report = ingest_beside_a_good_file(settings, folder, folder)
    assert sorted(Path(item["path"]).name for item in report.added) == ["bad\\xff.txt", "good.txt"]


def test_a_file_rewritten_while_it_is_ingested_fails_alone(settings, tmp_path, monkeypatch):
    """The kept original must be the bytes that were parsed: a file changed in between is refused."""
    folder = tmp_path / "in"
    folder.mkdir()
    changing = folder / "changing.txt"
    changing.write_bytes(GOOD)
    parse = operations.parse_file

    def parse_then_rewrite(path, options):
        doc = parse(path, options)
        if path.name == "changing.txt":
            path.write_bytes(GOOD.replace(b"ordinary", b"rewritten"))
        return doc
    monkeypatch.setattr(operations, "parse_file", parse_then_rewrite)
    report = ingest_beside_a_good_file(settings, folder, changing, workers=0)  # the parser changed in this process
    assert "changed while it was being ingested" in failure_for(report, changing)


def test_a_contents_list_late_in_a_text_drops_nothing_before_it(settings, tmp_path):
    """A document's own contents come before most of its text; one near the end is a list in the body."""
    opening = "The harbour kept its lights burning through every winter, and the keepers wrote down each tide."
    text = (f"Harbour Lights\n\n{opening}\n\nThe logbooks tell of storms and of ships that came in late to the quay.\n\n"
            "Contents\nIntroduction .......... 1\nThe keepers .......... 4\nThe logbooks .......... 9\n\nThe end.\n")
    (tmp_path / "late.txt").write_text(text)
    report = operations.ingest([tmp_path / "late.txt"], settings, ParseOptions(), workers=1)
    assert report.added[0]["kept"] > 0.5  # no "kept N %" warning: only the contents lines are gone
    from archive.store import Store
    store = Store(settings.data_dir)
    paragraphs = [p for s in store.get(report.added[0]["id"]).sections for p in s.paragraphs]
    store.close()
    assert paragraphs[0] == opening and paragraphs[-1] == "The end." and len(paragraphs) == 3


@pytest.mark.parametrize("date", ["99999-12-31", "[2020]", "2017-02-30"])
def test_a_date_that_is_no_date_is_refused_naming_the_field(settings, tmp_path, date):
    path = tmp_path / "dated.md"
    path.write_text(f"---\ntitle: Dated\ndate: '{date}'\n---\n\nText of the dated report, long enough.\n")
    error = failure_for(ingest_beside_a_good_file(settings, tmp_path, path), path)
    assert error.startswith("front matter: the date") and "YYYY-MM-DD" in error


def test_a_sidecar_title_with_newlines_prints_one_line(settings, tmp_path):
    (tmp_path / "report.txt").write_bytes(GOOD.replace(b"Good", b"Plain"))
    (tmp_path / "report.meta.json").write_text(json.dumps({"title": "Real\nadded      /etc/forged: fake"}))
    report = ingest_beside_a_good_file(settings, tmp_path, tmp_path / "report.txt")
    assert any(item["title"] == "Real added /etc/forged: fake" for item in report.added)


def test_a_long_file_name_is_not_refused_for_its_sidecars_name(settings, tmp_path):
    path = tmp_path / ("n" * 240 + ".txt")
    path.write_bytes(GOOD.replace(b"Good", b"Long"))
    report = ingest_beside_a_good_file(settings, tmp_path, path)
    assert any(item["path"] == str(path) for item in report.added)


@pytest.mark.parametrize("page", [b"", b"<html><head><script>var a = 1;</script></head><body> </body></html>",
                                  b"<html><body><div><span></span></div></body></html>"])
def test_a_page_with_no_visible_text_is_refused(settings, tmp_path, page):
    path = tmp_path / "blank.html"
    path.write_bytes(page or b"<html><body><p>  </p></body></html>")
    assert "no text" in failure_for(ingest_beside_a_good_file(settings, tmp_path, path), path)


def test_an_unreadable_folder_is_reported(settings, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    walk = os.walk

    def refusing_walk(top, **kwargs):  # as root, chmod 000 does not stop os.walk: refuse the folder here
        for root, dirs, files in walk(top, **kwargs):
            if Path(root) == locked:
                kwargs["onerror"](PermissionError(13, "Permission denied", str(locked)))
                continue
            yield root, dirs, files
    monkeypatch.setattr(operations.os, "walk", refusing_walk)
    report = ingest_beside_a_good_file(settings, tmp_path, locked)
    assert failure_for(report, locked) == "cannot read the folder: Permission denied"


def test_a_file_swapped_for_a_fifo_after_its_parse_fails_alone(settings, tmp_path, monkeypatch):
    """Keeping the original reads it as the parse did: a FIFO in its place is refused, never waited on."""
    folder = tmp_path / "in"
    folder.mkdir()
    swapped = folder / "swapped.txt"
    swapped.write_bytes(GOOD.replace(b"Good", b"Swapped"))
    parse = operations.parse_file

    def parse_then_swap(path, options):
        doc = parse(path, options)
        if path.name == "swapped.txt":
            path.unlink()
            os.mkfifo(path)
        return doc
    monkeypatch.setattr(operations, "parse_file", parse_then_swap)
    report = ingest_beside_a_good_file(settings, folder, swapped, workers=0)
    assert "is a FIFO, not a regular file" in failure_for(report, swapped)


def test_a_page_of_thousands_of_note_links_keeps_every_note(tmp_path):
    """Each note also links the next one; read in linear time (a pattern per note number once made it minutes)."""
    from indexer.options import ParseOptions
    from indexer.pipeline import parse_file

    count = 5000
    body = "".join(f'<p>Harbour paragraph {i}<a href="#fn{i}" id="r{i}"><sup>{i}</sup></a>.</p>' for i in range(1, count))
    notes = "".join(f'<li id="fn{i}">[{i}] Note {i}, see <a href="#fn{i + 1}">{i + 1}</a> <a href="#r{i}">↩</a></li>'
                    for i in range(1, count))
    page = tmp_path / "links.html"
    page.write_text(f"<html><head><title>Links</title></head><body><article><h1>Links</h1>{body}<ol>{notes}</ol>"
                    "</article></body></html>")
    doc = parse_file(page, ParseOptions())
    assert len(doc.footnotes) == count - 1
    assert doc.footnotes[0].text.startswith("Note 1, see") and doc.footnotes[-1].text.startswith(f"Note {count - 1},")
