"""Text from documents is shown as text: script payloads never become markup on any page or in any snippet."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from indexer.operations import ingest
from indexer.options import ParseOptions
from webapp import create_app

PAYLOAD = "<script>alert(1)</script>"
HOSTILE = f"""---
title: "Quays {PAYLOAD} and <img src=x onerror=alert(2)>"
author: "Ann <b onmouseover=alert(3)>Ward</b>"
date: 2020
url: "javascript:alert(4)"
---

# Harbour dues {PAYLOAD}

The keeper wrote `{PAYLOAD}` in the ledger of harbour dues.[^1]

Dues rose &lt;i&gt;twice&lt;/i&gt; in one winter, a harbour record.

[^1]: A harbour note with {PAYLOAD} and <iframe src="x"></iframe> inside.
"""


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    from archive.config import Settings

    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    settings = Settings(folder / "archive")
    report = ingest([folder / "hostile.md"], settings, ParseOptions(), workers=1)
    assert not report.failed
    return create_app({"TESTING": True, "SETTINGS": settings}).test_client(), report.added[0]["id"]


def pages(client, doc_id):
    yield client.get("/?q=harbour")
    yield client.get("/?q=footnote:harbour")
    yield client.get("/?q=script")
    yield client.get(f"/documents/{doc_id}?q=harbour")
    yield client.get(f"/documents/{doc_id}/citations")
    yield client.get(f"/documents/{doc_id}/related")
    yield client.get("/documents/")


def test_no_page_turns_document_text_into_markup(hostile_client):
    client, doc_id = hostile_client
    for response in pages(client, doc_id):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        tags = BeautifulSoup(html, "html.parser").find_all(True)
        assert not [t for t in tags if t.name in ("img", "iframe", "b") or (t.name == "script" and not t.get("src"))]
        assert not [t for t in tags if any(name.startswith("on") for name in t.attrs)]
        assert not [t for t in tags if t.get("href", "").startswith("javascript:")]


def test_payloads_show_as_text(hostile_client):
    client, doc_id = hostile_client
    reader = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in reader


def test_api_snippets_have_no_markup_but_mark(hostile_client):
    client, _ = hostile_client
    for query in ("harbour", "footnote:harbour", "script", "alert"):
        for hit in client.get("/api/search", query_string={"q": query}).json["hits"]:
            assert re.sub(r"</?mark>", "", hit["snippet"]).count("<") == 0, hit["snippet"]
