"""Fixtures that build real archives (store and Whoosh index) in temporary directories."""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.config import Settings
from indexer.index import ArchiveIndex
from indexer.operations import ingest
from indexer.options import ParseOptions

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "indexer" / "samples"


def corpus_file(prefix: str) -> Path:
    """The corpus document whose name starts with ``prefix`` (000 … 004)."""
    matches = sorted(CORPUS.glob(f"{prefix}_*"))
    assert matches, f"the shared corpus is missing: expected {CORPUS}/{prefix}_*"
    return matches[0]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """An empty archive location of its own for one test."""
    return Settings(tmp_path / "archive", lock_timeout=1.0)


@pytest.fixture(scope="module")
def index(corpus_settings):
    """The corpus archive's index, opened for one test module."""
    return ArchiveIndex(corpus_settings.index_dir)


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory) -> Settings:
    """An archive holding the five corpus documents, built once per test session."""
    assert CORPUS.is_dir(), f"the shared corpus is missing: expected {CORPUS}"
    settings = Settings(tmp_path_factory.mktemp("corpus") / "archive")
    report = ingest([CORPUS], settings, ParseOptions(), workers=1)
    assert not report.failed and len(report.added) == 5
    return settings


@pytest.fixture(scope="session")
def corpus_ids(corpus_settings) -> dict[str, str]:
    """Corpus file prefix (000 … 004) to document id."""
    from archive.store import Store

    store = Store(corpus_settings.data_dir)
    ids = {Path(d.source.path).name[:3]: d.id for d in store.documents()}
    store.close()
    return ids


@pytest.fixture(scope="session")
def corpus_docs(corpus_settings, corpus_ids):
    """Corpus file prefix (000 … 004) to its stored Document."""
    from archive.store import Store

    store = Store(corpus_settings.data_dir)
    docs = {prefix: store.get(doc_id) for prefix, doc_id in corpus_ids.items()}
    store.close()
    return docs


@pytest.fixture(scope="session")
def app(corpus_settings):
    """The web app over the corpus archive."""
    from webapp import create_app

    return create_app({"TESTING": True, "SETTINGS": corpus_settings})


@pytest.fixture
def client(app):
    """A Flask test client for the corpus app."""
    return app.test_client()


def copy_archive(settings: Settings, target: Path) -> Settings:
    """A private copy of an archive, for a test that changes it."""
    import shutil

    shutil.copytree(settings.data_dir, target)
    return Settings(target, lock_timeout=1.0)
