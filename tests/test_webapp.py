"""The web app through Flask's test client: every route, the filters, the reader and the errors."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from indexer.search import MAX_QUERY_CHARS
from tests.conftest import copy_archive
from tests.test_corpus import SEARCHES
from webapp import create_app



@pytest.fixture
def prefix_of(corpus_ids):
    return {doc_id: prefix for prefix, doc_id in corpus_ids.items()}


def api(client, **params):
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 200, response.json
    return response.json


@pytest.mark.parametrize("query, expected", SEARCHES)
def test_api_search_finds_the_expected_documents(client, prefix_of, query, expected):
    payload = api(client, q=query, per_page=50)
    assert {prefix_of[h["doc_id"]] for h in payload["hits"]} == expected
    assert payload["total_documents"] == len(expected)


def test_api_hit_shape_and_reader_link(client):
    payload = api(client, q="hikiwake")
    assert set(payload) >= {"query", "total", "hits", "facets", "suggestion", "variants"}
    hit = payload["hits"][0]
    assert set(hit) == {"doc_id", "title", "authors", "date", "section_id", "section_title", "kind", "note_number",
                        "snippet", "url", "page", "language"}
    assert re.sub(r"</?mark>", "", hit["snippet"]) == re.sub(r"<[^>]+>", "", hit["snippet"])
    url = urlsplit(hit["url"])
    page = client.get(f"{url.path}?{url.query}").get_data(as_text=True)
    assert f'id="{url.fragment}"' in page and "<mark>hikiwake</mark>" in page.lower()


def test_footnote_field_and_stemming(client):
    notes = api(client, q="footnote:Sputnik")["hits"]
    assert notes and all(h["kind"] == "footnote" and h["url"].endswith(f"#note-{h['note_number']}") for h in notes)
    snippets = " ".join(h["snippet"] for h in api(client, q="sanction", per_page=10)["hits"])
    assert "<mark>sanctions</mark>" in snippets.lower()


def test_the_search_page_and_the_api_agree(client):
    payload = api(client, q="russia japan", per_page=3)
    page = client.get("/", query_string={"q": "russia japan", "per_page": 3}).get_data(as_text=True)
    for hit in payload["hits"]:
        assert hit["snippet"] in page
    assert f"<strong>{payload['total']}</strong> matching passages" in page


def test_search_page_has_focused_box_help_and_alternate_link(client):
    page = client.get("/?q=hikiwake").get_data(as_text=True)
    assert re.search(r'<input id="q"[^>]*autofocus', page)
    assert "Search syntax" in page and "footnote:sputnik" in page
    alternate = re.search(r'<link rel="alternate" type="application/json" href="([^"]+)"', page).group(1)
    assert client.get(alternate.replace("&amp;", "&")).json["total"] == api(client, q="hikiwake")["total"]


def test_author_facet_filters_and_can_be_removed(client):
    payload = api(client, q="russia")
    authors = dict((f["value"], f["count"]) for f in payload["facets"]["author"])
    assert authors["Céline Pajon"] == 1 and len(authors) >= 3
    filtered = api(client, q="russia", author="Céline Pajon")
    assert {h["doc_id"] for h in filtered["hits"]} == {filtered["documents"][0]["doc_id"]}
    page = client.get("/", query_string={"q": "russia", "author": "Céline Pajon"}).get_data(as_text=True)
    remove = re.search(r'<a href="([^"]+)" aria-label="Remove filter author', page).group(1)
    assert "author" not in parse_qs(urlsplit(remove.replace("&amp;", "&")).query)


@pytest.mark.parametrize("params, expected", [
    ({"kind": "footnote"}, {"footnote"}),
    ({"kind": "body"}, {"body"}),
])
def test_kind_facet(client, params, expected):
    payload = api(client, q="russia", per_page=50, **params)
    assert {h["kind"] for h in payload["hits"]} == expected


@pytest.mark.parametrize("params, expected", [
    ({"date_from": "2016"}, {"003"}),
    ({"date_to": "2014"}, {"000"}),
    ({"date_from": "2015-01", "date_to": "2015-12"}, {"002"}),
    ({"year": "2017"}, {"003"}),
    ({"publisher": "Stimson Center"}, {"002"}),
])
def test_date_range_year_and_publisher(client, prefix_of, params, expected):
    payload = api(client, q="russia", per_page=50, **params)
    assert {prefix_of[h["doc_id"]] for h in payload["hits"]} == expected


def test_sort_by_date_puts_newest_first(client):
    dates = [h["date"] for h in api(client, q="russia", sort="date", per_page=50)["hits"]]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True) and dates[-1] == ""


def test_pagination_keeps_every_filter(client):
    first = api(client, q="russia", kind="body", per_page=1)
    second = api(client, q="russia", kind="body", per_page=1, page=2)
    assert first["pages"] == first["total_documents"] >= 2
    assert first["documents"][0]["doc_id"] != second["documents"][0]["doc_id"]
    page = client.get("/?q=russia&kind=body&per_page=1").get_data(as_text=True)
    following = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(following).query) == {"q": ["russia"], "kind": ["body"], "per_page": ["1"], "page": ["2"]}


def test_search_within_one_document(client, corpus_ids):
    payload = api(client, q="russia", doc_id=corpus_ids["003"], per_page=50)
    assert {h["doc_id"] for h in payload["hits"]} == {corpus_ids["003"]}


def test_did_you_mean_and_zero_results_page(client):
    payload = api(client, q="sanctoins")
    assert payload["total"] == 0 and payload["suggestion"] in {"sanction", "sanctions"}
    page = client.get("/?q=sanctoins").get_data(as_text=True)
    assert "Did you mean" in page and "No matches for" in page and "fewer words" in page


def test_bad_query_message_under_the_box(client):
    response = client.get("/", query_string={"q": "x" * (MAX_QUERY_CHARS + 1)})
    assert response.status_code == 400
    assert re.search(rf'<p id="query-error" class="error" role="alert">the query is {MAX_QUERY_CHARS + 1} characters',
                     response.text)


def test_name_variants_are_searched_as_one(corpus_settings, tmp_path):
    settings = copy_archive(corpus_settings, tmp_path / "archive")
    (settings.data_dir / "variants.txt").write_text("# islands\nKunashiri | Kunashir\nEtorofu | Iturup\n")
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    plain = client.get("/api/search?q=Kunashiri").json
    both = client.get("/api/search?q=Kunashir").json
    assert both["variants"] == ["Kunashiri"] and both["total"] >= plain["total"] > 0
    assert "Also searched the variants: Kunashiri" in client.get("/?q=Kunashir").text


def test_reader_contents_anchors_and_notes_both_ways(client, corpus_ids):
    page = client.get(f"/documents/{corpus_ids['003']}").get_data(as_text=True)
    record = client.get(f"/api/documents/{corpus_ids['003']}").json
    ids = set(re.findall(r'id="([^"]+)"', page))
    toc = re.search(r'<nav id="contents".*?</nav>', page, re.S).group(0)
    assert [s["id"] for s in record["sections"]] == re.findall(r'href="#([^"]+)"', toc)[:len(record["sections"])]
    assert {s["id"] for s in record["sections"]} <= ids
    markers = re.findall(r'<a id="(ref-(\d+)-\d+)" href="#note-(\d+)"', page)
    assert len({m[1] for m in markers}) == 66 and all(m[1] == m[2] for m in markers)
    backrefs = set(re.findall(r'class="backref" href="#([^"]+)"', page))
    assert backrefs == {m[0] for m in markers}
    assert all(f"note-{n}" in ids for n in range(1, 67))


def test_reader_highlights_the_query_and_links_its_related_documents(client, corpus_ids):
    page = client.get(f"/documents/{corpus_ids['003']}", query_string={"q": "sanctions"}).get_data(as_text=True)
    assert page.lower().count("<mark>sanctions</mark>") >= 3
    placeholder = re.search(r'<section id="related"[^>]*data-fragment="([^"]+)"', page).group(1)
    assert placeholder == f"/documents/{corpus_ids['003']}/related" and f'href="{placeholder}"' in page
    related = re.search(r'<section id="related".*?</section>', client.get(placeholder).text, re.S).group(0)
    assert corpus_ids["003"] not in related and len(re.findall(r'href="/documents/', related)) >= 2


def test_reader_page_leaves_the_costly_parts_to_their_own_requests(client, corpus_ids, monkeypatch):
    """A first view runs no citeproc and no more-like-this search: those parts come when scrolled to."""
    import webapp.cite
    import webapp.reader

    def refuse(*args, **kwargs):
        raise AssertionError("called while rendering the reader page")

    monkeypatch.setattr(webapp.reader, "related_documents", refuse)
    monkeypatch.setattr(webapp.cite, "format_item", refuse)
    page = client.get(f"/documents/{corpus_ids['003']}?section=conclusion").text
    assert f'data-fragment="/documents/{corpus_ids["003"]}/citations?section=conclusion"' in page


def test_documents_list_and_record(client, corpus_ids):
    listed = client.get("/api/documents").json
    assert listed["total"] == 5 and {d["id"] for d in listed["documents"]} == set(corpus_ids.values())
    record = client.get(f"/api/documents/{corpus_ids['002']}").json
    assert record["title"] == "Still Seeking to Normalize Relations with Russia" and len(record["footnotes"]) == 15
    page = client.get("/documents/").get_data(as_text=True)
    assert all(f'/documents/{doc_id}"' in page for doc_id in corpus_ids.values())


def test_healthz(client):
    assert client.get("/healthz").json == {"ok": True, "documents": 5}


def test_pages_carry_csp_and_need_no_inline_script(client, corpus_ids):
    for url in ["/", "/?q=russia", "/?q=", f"/documents/{corpus_ids['003']}", "/documents/", "/nowhere"]:
        response = client.get(url)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html) and not re.search(r"\s(on\w+|style)=", html)


@pytest.mark.parametrize("path", ["/static/style.css", "/static/app.js", "/favicon.ico"])
def test_assets_are_served_by_the_app(client, path):
    with client.get(path) as response:
        assert response.status_code == 200


def test_no_debug_mode_by_default(corpus_settings):
    assert not create_app({"SETTINGS": corpus_settings}).debug


def test_control_characters_in_a_query_are_searched_not_a_500(client):
    assert client.get("/api/search", query_string={"q": "00\x1b00"}).status_code == 200


def test_an_untitled_section_is_named_by_its_number_and_opening_words(settings, tmp_path):
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    plain = tmp_path / "plain.txt"
    plain.write_text("Harbour Notes\n\nThe quay lamps were lit again on Sunday evening by the keepers.\n\n"
                     "The boats came in late, and the nets were mended on the quay.\n")
    doc_id = ingest([plain], settings, ParseOptions(), workers=0).added[0]["id"]
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    page = client.get(f"/documents/{doc_id}").text
    contents = re.search(r'<nav id="contents".*?</nav>', page, re.S).group(0)
    assert ">§ 1: The quay lamps were lit again…</a>" in contents and ">Text<" not in contents
    results = client.get("/?q=nets").text
    assert re.search(r'class="place"[^>]*>§ 1</a>', results) and ">Text</a>" not in results


@pytest.mark.parametrize("params, param, says", [
    ({"q": "treaty", "date_from": "2019", "date_to": "2017-06"}, "date_from", "is later than date_to"),
    ({"q": "treaty", "page": "40"}, "page", "page 40 is past the last page of these results (1)"),
])
def test_a_request_that_can_find_nothing_says_why(client, params, param, says):
    answer = client.get("/api/search", query_string=params)
    assert answer.status_code == 400 and answer.json["param"] == param and says in answer.json["message"]
    page = client.get("/", query_string=params)
    assert page.status_code == 400 and says in page.text


def test_notes_link_their_web_addresses_and_the_notes_they_refer_to(client, corpus_settings, corpus_ids):
    from archive.store import Store

    store = Store(corpus_settings.data_dir)
    docs = [store.get(doc_id) for doc_id in corpus_ids.values()]
    store.close()
    referring = next((d, n) for d in docs for n in d.footnotes if n.refers_to)
    doc, note = referring
    page = client.get(f"/documents/{doc.id}").text
    item = re.search(rf'<li id="note-{note.number}".*?</li>', page, re.S).group(0)
    assert f'<a class="refers" href="#note-{note.refers_to[0]}">see note {note.refers_to[0]}</a>' in item
    with_address = next((d, n) for d in docs for n in d.footnotes if "https://" in n.text or "http://" in n.text)
    doc, note = with_address
    page = client.get(f"/documents/{doc.id}").text
    item = re.search(rf'<li id="note-{note.number}".*?</li>', page, re.S).group(0)
    assert re.search(r'<a href="https?://[^"]+">https?://', item)


def test_a_notes_italics_stay_in_the_record_and_the_reader(tmp_path):
    """A title a note sets in italics (Markdown's *…*, HTML's <i>, <em>, <cite>) is italic in the reader."""
    from archive.config import Settings
    from archive.store import Store
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    source = tmp_path / "notes.md"
    source.write_text("# Harbour notes\n\nThe harbour reopened on Sunday.[^1] The boats came back.[^2]\n\n"
                      "[^1]: As *The Coast Times* reported the next day.\n[^2]: See the board's minutes.\n")
    settings = Settings(tmp_path / "archive")
    doc_id = ingest([source], settings, ParseOptions(), workers=0).added[0]["id"]
    notes = Store(settings.data_dir).get(doc_id).footnotes
    assert [(n.text, n.italic) for n in notes] == [("As The Coast Times reported the next day.", ["The Coast Times"]),
                                                   ("See the board's minutes.", [])]
    page = create_app({"SETTINGS": settings}).test_client().get(f"/documents/{doc_id}").text
    assert "As <i>The Coast Times</i> reported the next day." in page


def test_an_abstracts_note_marker_links_its_note_and_stays_out_of_the_exports(tmp_path):
    """A summary read as the abstract keeps its marker as a link in the reader, and no "[^1]" in a citation."""
    from archive.citation import csl_item
    from archive.config import Settings
    from archive.store import Store
    from indexer.operations import ingest
    from indexer.options import ParseOptions

    source = tmp_path / "report.md"
    source.write_text("---\ntitle: Harbour Dues\nauthor: [Mara Holm]\n---\n\n# Summary\n\nThe dues fell by half after "
                      "the railway came.[^1] The boards sold their warehouses.\n\n# The ports\n\nThree ports kept "
                      "their boards.\n\n[^1]: Board minutes, 1871 to 1881.\n")
    settings = Settings(tmp_path / "archive")
    doc_id = ingest([source], settings, ParseOptions(), workers=0).added[0]["id"]
    doc = Store(settings.data_dir).get(doc_id)
    assert "[^1]" in doc.meta.abstract and "[^" not in csl_item(doc)["abstract"]
    page = create_app({"SETTINGS": settings}).test_client().get(f"/documents/{doc_id}").text
    assert "[^1]" not in page and 'href="#note-1"' in page
