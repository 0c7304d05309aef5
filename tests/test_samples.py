"""The shipped samples against expected-output files, and each marker style on small inline texts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.options import ParseOptions
from indexer.pipeline import parse_file

from .conftest import SAMPLES

EXPECTED = Path(__file__).parent / "expected"


def projection(doc) -> dict:
    """The parts of a parse that a cleaning or splitting change must not alter by accident."""
    record = doc.to_dict()
    return {
        "meta": {k: record[k] for k in ("title", "subtitle", "authors", "date", "publisher", "series", "number",
                                         "isbn", "url", "language", "abstract", "translator")},
        "sections": [[s.level, s.id, s.title, s.paragraphs] for s in doc.sections],
        "footnotes": [[n.number, n.text, n.section_id, n.paragraph, n.cited, n.refers_to] for n in doc.footnotes],
        "parts": doc.parts,
    }


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir()))
def test_sample_matches_expected_output(name):
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    assert projection(parse_file(SAMPLES / name, ParseOptions())) == expected


def parse_text(tmp_path, text: str, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return parse_file(path, ParseOptions())


BODY = "A first paragraph that is long enough to read as body text and not as a heading or a title."


@pytest.mark.parametrize("marker, note", [
    ("¹²", "12. A superscript note."),
    ("[12]", "12. A bracketed note."),
    ("[^12]", "[12] A note in brackets."),
])
def test_each_marker_style_links_to_its_note(tmp_path, marker, note):
    numbered = "\n\n".join(f"{n}. Note {n}." for n in range(1, 12))
    text = f"A Title\n\n{BODY}{marker} More text follows.\n\nNotes\n\n{numbered}\n\n{note}\n"
    doc = parse_text(tmp_path, text)
    assert doc.footnote(12).cited and "[^12]" in doc.sections[0].paragraphs[0]
    assert doc.footnote(12).text.startswith("A ")
    assert [n.number for n in doc.footnotes if not n.cited] == list(range(1, 12))


def test_numbered_list_without_markers_stays_in_the_body(tmp_path):
    doc = parse_text(tmp_path, f"A Title\n\n{BODY}\n\n1. First step.\n\n2. Second step.\n\n3. Third step.\n")
    assert doc.footnotes == [] and "1. First step." in doc.sections[0].paragraphs


def test_sidecar_and_explicit_metadata_win(tmp_path):
    (tmp_path / "doc.meta.json").write_text(json.dumps({"author": ["Sid Car"], "date": "2001-02"}))
    doc = parse_text(tmp_path, f"A Title\n\nAnn Lee\n\n{BODY}\n")
    assert doc.meta.authors == ("Sid Car",) and doc.meta.date == "2001-02"

