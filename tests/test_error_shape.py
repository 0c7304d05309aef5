"""Every bad request gets one JSON error shape with the right status, never a 500."""
from __future__ import annotations

import shutil

import pytest

from indexer.search import MAX_QUERY_CHARS
from tests.conftest import copy_archive
from webapp import create_app

BAD_REQUESTS = [
    ("/api/search", 400, "q"),
    ("/api/search?q=%20%20", 400, "q"),
    ("/api/search?q=" + "x" * (MAX_QUERY_CHARS + 1), 400, "q"),
    ("/api/search?q=a&page=0", 400, "page"),
    ("/api/search?q=a&page=abc", 400, "page"),
    ("/api/search?q=a&page=1000000000000", 400, "page"),
    ("/api/search?q=a&page=1001", 400, "page"),
    ("/api/search?q=a&per_page=0", 400, "per_page"),
    ("/api/search?q=a&per_page=5000", 400, "per_page"),
    ("/api/search?q=a&kind=appendix", 400, "kind"),
    ("/api/search?q=a&sort=title", 400, "sort"),
    ("/api/search?q=a&date_from=20x5", 400, "date_from"),
    ("/api/search?q=a&date_to=2015-13", 400, "date_to"),
    ("/api/search?q=a&year=15", 400, "year"),
    ("/api/documents/no-such-document", 404, None),
    ("/api/no-such-route", 404, None),
]


def assert_error_shape(response, status, param=None):
    body = response.json
    assert response.status_code == status and response.mimetype == "application/json"
    assert set(body) - {"param"} == {"ok", "status", "error", "message"}
    assert body["ok"] is False and body["status"] == status and body["message"]
    assert body.get("param") == param


@pytest.mark.parametrize("url, status, param", BAD_REQUESTS)
def test_bad_api_requests_share_one_error_shape(client, url, status, param):
    assert_error_shape(client.get(url), status, param)


def test_wrong_method_has_the_error_shape(client):
    assert_error_shape(client.post("/api/search?q=a"), 405)


@pytest.mark.parametrize("url, status", [("/?q=a&page=0", 400), ("/documents/no-such-document", 404),
                                         ("/no-such-page", 404)])
def test_bad_page_requests_get_an_error_page(client, url, status):
    response = client.get(url)
    assert response.status_code == status and response.mimetype == "text/html"


def test_missing_index_is_a_clear_503_and_reindex_restores(corpus_settings, tmp_path):
    from indexer.operations import reindex

    settings = copy_archive(corpus_settings, tmp_path / "archive")
    shutil.rmtree(settings.index_dir)
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    response = client.get("/healthz")
    assert_error_shape(response, 503)
    assert "archive reindex" in response.json["message"]
    assert reindex(settings) == 5
    assert client.get("/healthz").json == {"ok": True, "documents": 5}


def test_no_archive_yet_says_how_to_make_one(tmp_path):
    from archive.config import Settings

    client = create_app({"TESTING": True, "SETTINGS": Settings(tmp_path / "empty")}).test_client()
    response = client.get("/api/documents")
    assert_error_shape(response, 503)
    assert "archive ingest" in response.json["message"]
    assert "archive ingest" in client.get("/").text
