"""The language model kept unpacked in the user's cache: the same detections, and the packed one as a fallback."""
from __future__ import annotations

import pytest

from indexer import langmodel

SAMPLES = ["Курильские острова и мирный договор", "これは日本語の文章です", "The peace treaty was never signed"]


@pytest.fixture(scope="module")
def packed():
    """The identifier read from py3langid's own packed model."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def test_the_unpacked_model_detects_as_the_packed_one(tmp_path, packed):
    unpacked = langmodel.unpacked_model(langmodel.packed_model(), tmp_path)
    assert unpacked is not None and unpacked.parent == tmp_path and not list(tmp_path.glob("*.part"))
    assert langmodel.unpacked_model(langmodel.packed_model(), tmp_path) == unpacked  # unpacked once
    cached = langmodel.identifier(tmp_path)
    assert [cached.classify(t) for t in SAMPLES] == [packed.classify(t) for t in SAMPLES]


def test_a_cache_that_cannot_be_written_falls_back_to_the_packed_model(tmp_path, packed):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert langmodel.unpacked_model(langmodel.packed_model(), blocked / "archive") is None
    assert langmodel.identifier(blocked / "archive").classify(SAMPLES[0]) == packed.classify(SAMPLES[0])


def test_a_damaged_unpacked_model_falls_back_to_the_packed_model(tmp_path, packed):
    unpacked = langmodel.unpacked_model(langmodel.packed_model(), tmp_path)
    unpacked.write_bytes(unpacked.read_bytes()[:1000])
    assert langmodel.identifier(tmp_path).classify(SAMPLES[1]) == packed.classify(SAMPLES[1])
    assert not unpacked.exists()  # unpacked anew by the next load
