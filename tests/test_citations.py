"""Citation export: every format for every corpus document, parsed back; styles against hand-written references."""
from __future__ import annotations

import json
import re
from pathlib import Path

import bibtexparser
import pytest
import rispy
from click.testing import CliRunner
from pybtex.database import parse_string

from archive.citation import Scope, csl_item, split_name
from archive.config import Settings
from archive.exports import render_data, to_bibtex, to_ris
from archive.model import Document, Metadata, Section
from archive.store import Store
from archive.styles import STYLES, format_item
from indexer.cli import CITE_FORMATS, cli
from indexer.operations import ingest
from indexer.options import ParseOptions
from webapp import create_app

LATEX = {r"\&": "&", r"\%": "%", r"\$": "$", r"\#": "#", r"\_": "_", r"\{": "{", r"\}": "}",
         r"\textasciitilde{}": "~", r"\textasciicircum{}": "^", r"\textbackslash{}": "\\"}


def full_title(meta: Metadata) -> str:
    return f"{meta.title}: {meta.subtitle}" if meta.subtitle else meta.title


def unlatex(value: str) -> str:
    return re.sub("|".join(re.escape(k) for k in LATEX), lambda m: LATEX[m.group(0)], value)


def cli_cite(settings, *args, base_url=""):
    result = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "cite", *args], obj={},
                                env={"ARCHIVE_BASE_URL": base_url})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("fmt", CITE_FORMATS)
def test_every_document_exports_in_every_format_from_cli_and_web(corpus_settings, corpus_ids, client, fmt):
    for doc_id in corpus_ids.values():
        assert cli_cite(corpus_settings, doc_id, "--format", fmt).strip()
    ext = {"bibtex": "bib", "ris": "ris", "csl-json": "json"}.get(fmt)
    for doc_id in corpus_ids.values():
        if ext:
            response = client.get(f"/documents/{doc_id}/cite.{ext}")
            assert response.status_code == 200 and response.text.strip()
        else:
            assert client.get(f"/documents/{doc_id}").status_code == 200


def test_bibtex_parses_back_with_bibtexparser_and_pybtex(corpus_docs):
    for doc in corpus_docs.values():
        bib = to_bibtex([csl_item(doc)])
        entry = bibtexparser.parse_string(bib).entries[0]
        assert unlatex(entry.fields_dict["title"].value) == full_title(doc.meta)
        assert entry.fields_dict.get("year", None) is None or entry.fields_dict["year"].value == doc.meta.year
        person_entry = parse_string(bib, "bibtex").entries[entry.key]
        people = person_entry.persons.get("author", [])
        names = [" ".join(p.first_names + p.middle_names + p.last_names) for p in people]
        assert names == list(doc.meta.authors)


def test_bibtex_escapes_specials_keeps_utf8_urls_raw_month_macro_and_corporate_braces():
    doc = Document("x-1234", Metadata(title="R&D at 5% for $3: #1 under_score {x} ~ ^ \\", authors=(
        "Céline Pajon", "Stimson Center"), date="2017-10", url="https://example.org/a_b?c=1&d=%20"), [])
    bib = to_bibtex([csl_item(doc)])
    assert r"title = {R\&D at 5\% for \$3: \#1 under\_score \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{}}" in bib
    assert "url = {https://example.org/a_b?c=1&d=%20}" in bib and re.search(r"\bmonth = oct,\n", bib)
    assert "author = {Pajon, Céline and {Stimson Center}}" in bib
    parsed = next(iter(parse_string(bib, "bibtex").entries.values()))
    assert [str(p) for p in parsed.persons["author"]] == ["Pajon, Céline", "{Stimson Center}"]
    assert unlatex(bibtexparser.parse_string(bib).entries[0].fields_dict["title"].value) == doc.meta.title


def test_ris_parses_back_with_rispy(corpus_docs):
    for doc in corpus_docs.values():
        ris = to_ris([csl_item(doc)])
        lines = ris.split("\r\n")
        assert lines[0].startswith("TY  - ") and lines[-2] == "ER  - " and lines[-1] == ""
        assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1])
        record = rispy.loads(ris)[0]
        assert record["title"] == full_title(doc.meta)
        assert record.get("authors", []) == [", ".join(reversed(a.rsplit(" ", 1))) for a in doc.meta.authors]


def test_item_types_follow_the_source(corpus_docs):
    types = {prefix: csl_item(doc)["type"] for prefix, doc in corpus_docs.items()}
    assert types["003"] == "report" and types["002"] == "chapter"
    item = csl_item(corpus_docs["003"])
    series = (item["publisher"], item["collection-title"], item["collection-number"])
    assert series == ("Ifri", "Russie.Nei.Visions", "104")


def test_csl_json_is_well_formed_and_leaves_missing_fields_out(corpus_docs):
    items = json.loads(render_data([csl_item(d) for d in corpus_docs.values()], "csl-json"))
    for item in items:
        assert re.fullmatch(r"[a-z0-9]+", item["id"]) and isinstance(item["title"], str)
        assert all(v not in ("", [], {}, None) for v in item.values())
        for name in item.get("author", []):
            assert set(name) <= {"family", "given", "literal"}
        for parts in item.get("issued", {}).get("date-parts", []):
            assert all(isinstance(p, int) for p in parts)
    anonymous = csl_item(corpus_docs["004"])
    assert "author" not in anonymous and "issued" not in anonymous


def test_keys_are_stable_and_unique(corpus_settings, corpus_docs):
    keys = [csl_item(d)["id"] for d in corpus_docs.values()]
    assert len(set(keys)) == len(keys)
    first = re.findall(r"@\w+\{(\w+),", cli_cite(corpus_settings, "--query", "russia", "--format", "bibtex"))
    second = re.findall(r"@\w+\{(\w+),", cli_cite(corpus_settings, "--query", "hikiwake", "--format", "bibtex"))
    assert set(second) <= set(first) <= set(keys) and len(first) == len(set(first))


REFERENCES = [
    ("003", "apa", "Pajon, C. (2017). Japan-Russia: The Limits of a Strategic Rapprochement (C. Johnston, Trans.; "
                   "Russie.Nei.Visions 104). Ifri."),
    ("003", "chicago-notes", "Pajon, Céline. Japan-Russia: The Limits of a Strategic Rapprochement. Translated by "
                             "Cameron Johnston. Russie.Nei.Visions 104. Ifri, 2017."),
    ("003", "chicago-author-date", "Pajon, Céline. 2017. Japan-Russia: The Limits of a Strategic Rapprochement."),
    ("003", "mla", "Pajon, Céline. Japan-Russia: The Limits of a Strategic Rapprochement. Translated by Cameron "
                   "Johnston, Ifri, Oct. 2017."),
    ("001", "mla", "Eyal, Jonathan. “Russia and Japan: Wrong Premise, Unrealistic Expectations.”"),
    ("001", "apa", "Eyal, J. (n.d.). Russia and Japan: Wrong Premise, Unrealistic Expectations."),
    ("004", "apa", "Gang of Two: Russia and Japan Make a Play for the Pacific. (n.d.)."),
    ("004", "chicago-author-date", "“Gang of Two: Russia and Japan Make a Play for the Pacific.” n.d."),
]


@pytest.mark.parametrize("prefix, style, expected", REFERENCES)
def test_styles_against_hand_written_references(corpus_docs, prefix, style, expected):
    assert format_item(csl_item(corpus_docs[prefix]), style).entry.startswith(expected)


def test_chicago_notes_leaves_a_document_without_publisher_or_url_out_of_its_bibliography(
        corpus_settings, corpus_docs, client):
    """CMOS 18 14.118, as the style and citeproc-js have it: a note, no bibliography entry; both front ends say why."""
    doc = corpus_docs["000"]
    formatted = format_item(csl_item(doc), "chicago-notes")
    assert formatted.entry == ""
    assert formatted.citation == ("Jonathan Berkshire Miller, “Building Momentum: An Imminent Japan-Russia "
                                  "Rapprochement?,” 2014.")
    printed = cli_cite(corpus_settings, doc.id, "--format", "chicago-notes")
    assert printed.startswith("Note: Jonathan Berkshire Miller") and "leaves this work out of the bibliography" in printed
    page = client.get(f"/documents/{doc.id}/citations").text
    assert "leaves this work out of the bibliography" in page


CITEPROC_JS = json.loads((Path(__file__).parent / "fixtures" / "citations" / "citeproc-js.json").read_text())


@pytest.mark.parametrize("case", CITEPROC_JS["cases"], ids=lambda case: case["name"][:48])
@pytest.mark.parametrize("style", list(STYLES))
def test_every_style_prints_as_citeproc_js_does(case, style):
    """The archive's entries and citations against citeproc-js's (the fixture's ``made_by`` command made them)."""
    formatted = format_item(case["cited"], style)
    assert (formatted.entry, formatted.citation) == (case["expected"][style]["entry"],
                                                     case["expected"][style]["citation"])


def test_the_citeproc_js_cases_are_the_items_the_archive_makes_today():
    """A fixture made from other items would compare nothing: re-run its command when the items change."""
    from benchmarks.citations import cases, documents

    def undated(item: dict) -> dict:  # a web page's access date is the day it was ingested
        return {key: value for key, value in item.items() if key != "accessed"}
    made = {case["name"]: undated(case["cited"]) for case in cases(documents())}
    assert made == {case["name"]: undated(case["cited"]) for case in CITEPROC_JS["cases"]}, CITEPROC_JS["made_by"]


def test_chicago_note_gives_full_names_first(corpus_docs):
    note = format_item(csl_item(corpus_docs["003"]), "chicago-notes").citation
    assert note.startswith("Céline Pajon, Japan-Russia: The Limits of a Strategic Rapprochement, "
                           "trans. Cameron Johnston")


def test_series_and_number_appear_in_every_style(corpus_docs):
    for style in STYLES:
        assert "Russie.Nei.Visions 104" in format_item(csl_item(corpus_docs["003"]), style).entry


def test_non_english_titles_keep_their_case():
    doc = Document("fr-0001", Metadata(title="La politique étrangère du Japon", authors=("Céline Pajon",),
                                       date="2017", publisher="Ifri", series="Notes", language="fr"), [])
    for style in STYLES:
        for as_html in (False, True):
            entry = format_item(csl_item(doc), style, as_html).entry
            assert "La politique étrangère du Japon" in entry and "span" not in entry


def test_section_citation_carries_heading_and_anchor(corpus_settings, corpus_ids, client):
    doc_id = corpus_ids["003"]
    text = cli_cite(corpus_settings, doc_id, "--section", "conclusion", "--format", "chicago-notes")
    assert "sec. Conclusion" in text and "/documents/" not in text, "no reader URL without ARCHIVE_BASE_URL"
    ris = client.get(f"/documents/{doc_id}/cite.ris?section=conclusion").text
    assert "SE  - Conclusion\r\n" in ris and "/documents/" not in ris, "a request from this machine"
    page = client.get(f"/documents/{doc_id}?section=conclusion").text
    assert "Cite the section “Conclusion”" in page
    styles = client.get(re.search(r'id="cite-styles"[^>]*data-fragment="([^"]+)"', page).group(1)).text
    assert "sec. Conclusion" in styles and styles.count('class="style"') == 4


def test_note_citation_has_the_note_number_as_locator(corpus_settings, corpus_ids):
    text = cli_cite(corpus_settings, corpus_ids["003"], "--note", "12", "--format", "chicago-author-date",
                    base_url="https://archive.example.org")
    assert "n. 12" in text and "https://archive.example.org/documents/" in text and "#note-12" in text


def test_mla_cites_the_author_and_the_place_without_the_title(corpus_settings, corpus_ids):
    """MLA 9 adds a short title only to tell apart two works by one author; citeproc-py added it always."""
    text = cli_cite(corpus_settings, corpus_ids["003"], "--note", "12", "--format", "mla")
    assert "(Pajon, n. 12)" in text


def test_web_downloads_have_content_types_and_file_names(client, corpus_ids):
    response = client.get(f"/documents/{corpus_ids['003']}/cite.bib")
    assert response.mimetype == "application/x-bibtex"
    assert re.fullmatch(r'attachment; filename="pajon2017japan\w{4}\.bib"', response.headers["Content-Disposition"])
    assert client.get(f"/documents/{corpus_ids['003']}/cite.ris").mimetype == "application/x-research-info-systems"
    assert client.get("/export.json?q=hikiwake").mimetype == "application/vnd.citationstyles.csl+json"
    assert len(json.loads(client.get("/export.json?q=hikiwake").text)) == 2


def test_cite_panel_says_which_fields_are_missing(client, corpus_ids):
    page = client.get(f"/documents/{corpus_ids['004']}").text
    assert "does not state its author, date, publisher or URL" in page


def test_reader_carries_highwire_and_dublin_core_tags(client, corpus_ids):
    page = client.get(f"/documents/{corpus_ids['003']}").text
    assert '<meta name="citation_author" content="Céline Pajon">' in page
    assert '<meta name="citation_technical_report_institution" content="Ifri">' in page
    # Google Scholar reads a full YYYY/MM/DD date or a year: a month alone (2017-10) is given as its year
    assert '<meta name="citation_publication_date" content="2017">' in page
    assert '<meta name="DC.creator" content="Céline Pajon">' in page


def test_name_splitting():
    assert split_name("Jonathan Berkshire Miller") == {"family": "Miller", "given": "Jonathan Berkshire"}
    assert split_name("Pajon, Céline") == {"family": "Pajon", "given": "Céline"}


def test_unknown_section_and_document_are_clear_errors(corpus_settings, corpus_ids, client):
    result = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "cite", corpus_ids["003"],
                                      "--section", "nowhere", "--format", "apa"], obj={})
    assert result.exit_code == 2 and "no section 'nowhere'" in result.output
    assert client.get(f"/documents/{corpus_ids['003']}/cite.bib?section=nowhere").status_code == 400
    for note in ("¹", "٣", "x"):  # digits int() refuses or reads otherwise are not note numbers
        assert client.get(f"/documents/{corpus_ids['003']}/citations", query_string={"note": note}).status_code == 400
    assert client.get("/documents/nowhere/cite.bib").status_code == 404


@pytest.mark.parametrize("base_url, remote, expected", [
    ("", "127.0.0.1", None),
    ("", "203.0.113.5", "http://archive.test/documents/{id}#conclusion"),
    ("https://archive.example.org", "127.0.0.1", "https://archive.example.org/documents/{id}#conclusion"),
    ("https://archive.example.org", "203.0.113.5", "https://archive.example.org/documents/{id}#conclusion"),
], ids=["local", "remote", "base-local", "base-remote"])
def test_a_place_citation_links_the_reader_only_where_others_can_follow(corpus_settings, corpus_ids, base_url,
                                                                        remote, expected):
    from dataclasses import replace

    from webapp import create_app
    settings = replace(corpus_settings, base_url=base_url)
    client = create_app({"TESTING": True, "SETTINGS": settings}).test_client()
    doc_id = corpus_ids["003"]
    item = client.get(f"/documents/{doc_id}/cite.json?section=conclusion", environ_base={"REMOTE_ADDR": remote},
                      base_url="http://archive.test").json[0]
    assert item.get("URL") == (expected.format(id=doc_id) if expected else None)
    text = CliRunner().invoke(cli, ["--data-dir", str(settings.data_dir), "cite", doc_id, "--section", "conclusion",
                                    "--format", "csl-json"], env={"ARCHIVE_BASE_URL": base_url}).output
    assert (json.loads(text)[0].get("URL") is not None) == bool(base_url)


def test_api_links_never_echo_a_forged_host_header(corpus_settings, client):
    from dataclasses import replace

    from webapp import create_app
    forged = {"environ_base": {"REMOTE_ADDR": "203.0.113.5"}, "base_url": "http://evil.example"}
    listed = client.get("/api/documents", **forged).json["documents"][0]
    assert listed["url"].startswith("/api/documents/") and listed["reader_url"].startswith("/documents/")
    hit = client.get("/api/search?q=treaty", **forged).json["hits"][0]
    assert hit["url"].startswith("/documents/")
    based = create_app({"TESTING": True, "SETTINGS": replace(corpus_settings, base_url="https://a.example")})
    listed = based.test_client().get("/api/documents", **forged).json["documents"][0]
    assert listed["url"].startswith("https://a.example/api/documents/")


JOURNAL_ARTICLE = Path(__file__).parent / "fixtures" / "citations" / "journal-article.html"


@pytest.fixture(scope="module")
def journal_article(tmp_path_factory) -> tuple[Settings, str]:
    """An archive holding one HTML journal article with Highwire citation_* tags, and its id."""
    settings = Settings(tmp_path_factory.mktemp("journal") / "archive")
    added = ingest([JOURNAL_ARTICLE], settings, ParseOptions(), workers=1).added
    return settings, added[0]["id"]


def test_a_journal_article_page_is_read_with_its_journal_volume_issue_pages_and_doi(journal_article):
    settings, doc_id = journal_article
    meta = Store(settings.data_dir).get(doc_id).meta
    assert (meta.kind, meta.container_title, meta.volume, meta.issue, meta.pages, meta.doi, meta.issn) == (
        "article-journal", "Journal of Coastal History", "12", "1", "45-67", "10.5555/jch.2014.0012", "1234-5678")
    assert meta.publisher == ""  # the site is named after the journal: no publisher is stated
    assert meta.authors == ("Tanaka, Hiroshi", "Anna van der Berg", "Mark Ellis")


def test_a_journal_article_exports_as_a_journal_article_in_every_format(journal_article):
    settings, doc_id = journal_article
    item = csl_item(Store(settings.data_dir).get(doc_id))
    assert {k: item[k] for k in ("type", "container-title", "volume", "issue", "page", "DOI", "ISSN")} == {
        "type": "article-journal", "container-title": "Journal of Coastal History", "volume": "12", "issue": "1",
        "page": "45-67", "DOI": "10.5555/jch.2014.0012", "ISSN": "1234-5678"}
    assert "publisher" not in item and "collection-number" not in item
    entry = bibtexparser.parse_string(to_bibtex([item])).entries[0]
    assert entry.entry_type == "article"
    assert {name: entry.fields_dict[name].value for name in ("journal", "volume", "number", "pages", "doi")} == {
        "journal": "Journal of Coastal History", "volume": "12", "number": "1", "pages": "45--67",
        "doi": "10.5555/jch.2014.0012"}
    assert len(parse_string(to_bibtex([item]), "bibtex").entries[item["id"]].persons["author"]) == 3
    record = rispy.loads(to_ris([item]))[0]
    assert (record["type_of_reference"], record["secondary_title"], record["volume"], record["number"],
            record["start_page"], record["end_page"], record["doi"], record["issn"]) == (
        "JOUR", "Journal of Coastal History", "12", "1", "45", "67", "10.5555/jch.2014.0012", "1234-5678")


def test_a_section_of_a_journal_article_keeps_the_articles_pages_and_cites_its_place(journal_article):
    settings, doc_id = journal_article
    doc = Store(settings.data_dir).get(doc_id)
    item = csl_item(doc, Scope(section_id=doc.sections[-1].id))
    assert item["page"] == "45-67" and item["section"] == "What they show"


def test_the_reader_page_states_the_journal_fields_as_google_scholar_asks(journal_article):
    settings, doc_id = journal_article
    page = create_app({"SETTINGS": settings}).test_client().get(f"/documents/{doc_id}").text
    for name, value in (("citation_journal_title", "Journal of Coastal History"), ("citation_volume", "12"),
                        ("citation_issue", "1"), ("citation_firstpage", "45"), ("citation_lastpage", "67"),
                        ("citation_doi", "10.5555/jch.2014.0012"), ("citation_publication_date", "2014/03/15")):
        assert f'<meta name="{name}" content="{value}">' in page
    assert '<dt>Volume</dt><dd>12</dd>' in page and 'href="https://doi.org/10.5555/jch.2014.0012"' in page


@pytest.mark.parametrize("fixture, zotero_type, typed_by", [
    ("journal-article.html", "journalArticle", ("citation_journal_title", "Journal of Coastal History")),
    ("book-chapter.html", "bookSection", ("citation_book_title", "Lights of the Northern Coast")),
    ("thesis.html", "thesis", ("citation_dissertation_institution", "University of the North")),
    ("harbour-report.md", "report", ("citation_technical_report_institution", "Northern Coast Institute")),
    ("news-story.html", "newspaperArticle", None),
])
def test_the_reader_page_types_the_work_as_zoteros_embedded_metadata_reads_it(tmp_path, fixture, zotero_type, typed_by):
    """Zotero's Embedded Metadata translator takes a DC.type naming one of its item types before any guess
    (a citation_title alone makes it guess a journal article); its Highwire rules type a chapter by
    citation_book_title and a thesis by citation_dissertation_institution (its source, translators repository)."""
    settings = Settings(tmp_path / "archive")
    doc_id = ingest([Path(__file__).parent / "fixtures" / "citations" / fixture], settings, ParseOptions(),
                    workers=0).added[0]["id"]
    page = create_app({"SETTINGS": settings}).test_client().get(f"/documents/{doc_id}").text
    assert f'<meta name="DC.type" content="{zotero_type}">' in page
    if typed_by:
        assert f'<meta name="{typed_by[0]}" content="{typed_by[1]}">' in page


@pytest.mark.parametrize("meta, ris_tags", [
    (Metadata(title="Ports", publisher="Ifri", series="Visions", number="104", isbn="978-2-36567-000-0"),
     {"TY": "RPRT", "T2": "Visions", "SN": "104", "PB": "Ifri", "N1": "ISBN 978-2-36567-000-0"}),
    (Metadata(title="Ports", kind="article-magazine", container_title="Harbour Weekly", issue="7"),
     {"TY": "MGZN", "T2": "Harbour Weekly", "IS": "7"}),
])
def test_ris_puts_each_field_where_zoteros_ris_translator_reads_it(meta, ris_tags):
    ris = to_ris([csl_item(Document("ports-0000", meta, []))])
    tags = dict(line.split("  - ", 1) for line in ris.splitlines() if "  - " in line)
    assert {tag: tags.get(tag) for tag in ris_tags} == ris_tags
    assert "VL" not in tags or meta.volume


def test_a_sidecar_states_an_item_type_and_a_wrong_one_is_refused(tmp_path):
    source = tmp_path / "commentary.txt"
    source.write_text("Harbour dues\n\nThe dues rose twice in one year, and the trade moved south.\n")
    (tmp_path / "commentary.meta.yaml").write_text("type: article-magazine\njournal: Harbour Weekly\nissue: 7\n")
    settings = Settings(tmp_path / "archive")
    added = ingest([source], settings, ParseOptions(), workers=1).added
    assert csl_item(Store(settings.data_dir).get(added[0]["id"]))["type"] == "article-magazine"
    (tmp_path / "commentary.meta.yaml").write_text("type: magazine\n")
    failed = ingest([source], Settings(tmp_path / "other"), ParseOptions(), workers=1).failed
    assert "not a CSL item type" in failed[0]["error"]


def test_archive_edit_corrects_the_record_the_reader_and_every_export(tmp_path):
    source = tmp_path / "ledgers.txt"
    source.write_text("Harbour ledgers\n\nThree ledgers survive from the northern ports.\n")
    settings = Settings(tmp_path / "archive")
    doc_id = ingest([source], settings, ParseOptions(), workers=1).added[0]["id"]
    runner = CliRunner()
    args = ["--data-dir", str(settings.data_dir), "edit", doc_id, "--type", "article-journal", "--author",
            "Tanaka, Hiroshi", "--container", "Journal of Coastal History", "--volume", "12", "--pages", "45-67"]
    assert runner.invoke(cli, args, obj={}).exit_code == 0
    item = csl_item(Store(settings.data_dir).get(doc_id))
    assert (item["type"], item["author"], item["volume"], item["page"]) == (
        "article-journal", [{"family": "Tanaka", "given": "Hiroshi"}], "12", "45-67")
    page = create_app({"SETTINGS": settings}).test_client().get(f"/documents/{doc_id}").text
    assert '<meta name="citation_volume" content="12">' in page
    again = ingest([source], settings, ParseOptions(), workers=1)  # the same file: the correction stays
    assert again.unchanged and Store(settings.data_dir).get(doc_id).meta.volume == "12"


@pytest.mark.parametrize("args, message", [(["--type", "magazine"], "not a CSL item type"),
                                           (["--date", "2017-02-30"], "not a real date"), ([], "say what to change")])
def test_archive_edit_refuses_a_wrong_field_naming_it(corpus_settings, corpus_ids, args, message):
    result = CliRunner().invoke(cli, ["--data-dir", str(corpus_settings.data_dir), "edit", corpus_ids["000"], *args],
                                obj={})
    assert result.exit_code == 2 and message in result.output


def test_a_new_sidecar_on_a_file_already_kept_replaces_its_metadata(tmp_path):
    source = tmp_path / "ledgers.txt"
    source.write_text("Harbour ledgers\n\nThree ledgers survive from the northern ports.\n")
    settings = Settings(tmp_path / "archive")
    doc_id = ingest([source], settings, ParseOptions(), workers=1).added[0]["id"]
    (tmp_path / "ledgers.meta.yaml").write_text("author: Mark Ellis\ndate: 2014\n")
    report = ingest([source], settings, ParseOptions(), workers=1)
    assert [item["id"] for item in report.replaced] == [doc_id]
    assert Store(settings.data_dir).get(doc_id).meta.authors == ("Mark Ellis",)


@pytest.mark.parametrize("head, expected", [
    ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Quay reopens"}</script>',
     {"kind": "article-newspaper"}),
    ('<meta name="citation_technical_report_institution" content="Harbour Institute">'
     '<meta name="citation_technical_report_number" content="WP-7">',
     {"kind": "report", "publisher": "Harbour Institute", "number": "WP-7"}),
    ('<meta name="prism.publicationName" content="Coastal Review"><meta name="prism.volume" content="3">'
     '<meta name="prism.startingPage" content="9"><meta name="dc.identifier" content="doi:10.5555/cr.3.9">',
     {"container_title": "Coastal Review", "volume": "3", "pages": "9", "doi": "10.5555/cr.3.9", "kind": ""}),
    ('<meta name="citation_dissertation_institution" content="Northern University">',
     {"kind": "thesis", "publisher": "Northern University"}),
])
def test_a_pages_tags_give_its_item_type_and_fields(head, expected):
    from lxml import etree

    from indexer.htmlmeta import head_metadata

    meta = head_metadata(etree.fromstring(f"<html><head>{head}</head><body></body></html>", etree.HTMLParser()))
    assert {name: getattr(meta, name) for name in expected} == expected


@pytest.mark.parametrize("style", ["mla", "chicago-author-date", "chicago-notes"])
def test_title_case_keeps_prepositions_lower_case_as_citeproc_js_does(style):
    meta = Metadata(title="the island dispute after the cold war: a study between two states", authors=("Ann Lee",),
                    date="2014", publisher="Harbour Press", language="en")
    entry = format_item(csl_item(Document("island-0000", meta, [])), style).entry
    assert "The Island Dispute after the Cold War: A Study between Two States" in entry


@pytest.mark.parametrize("style", ["apa", "mla", "chicago-author-date", "chicago-notes"])
def test_the_cited_place_is_the_citations_locator_never_part_of_the_entry(style):
    meta = Metadata(title="Harbour Ledgers", authors=("Ann Lee",), date="2014", language="en",
                    container_title="Journal of Northern Studies", volume="3", pages="45-67")
    doc = Document("ledgers-0000", meta, [Section("s1", "The Fisheries Regime", 1, ["Text."])])
    whole = format_item(csl_item(doc), style)
    place = format_item(csl_item(doc, Scope(section_id="s1")), style)
    assert place.entry == whole.entry and "Fisheries" not in place.entry
    assert "Fisheries Regime" in place.citation


@pytest.mark.parametrize("style, written", [("chicago-author-date", "Berg, Anna van der"),
                                            ("chicago-notes", "Berg, Anna van der"), ("apa", "van der Berg, A."),
                                            ("mla", "van der Berg, Anna")])
def test_a_name_particle_is_placed_by_each_style(style, written):
    doc = Document("ledgers-0000", Metadata(title="Harbour Ledgers", authors=("Anna van der Berg",), date="2014",
                                            publisher="Harbour Press"), [])
    item = csl_item(doc)
    assert format_item(item, style).entry.startswith(written)
    assert "author = {van der Berg, Anna}" in to_bibtex([item]) and "AU  - van der Berg, Anna" in to_ris([item])


def test_styles_format_alike_in_threads_at_once():
    """A server formats in several threads; citeproc-py keeps a parsed style's state while it renders."""
    from concurrent.futures import ThreadPoolExecutor

    work = [(case["cited"], style) for case in CITEPROC_JS["cases"][:12] for style in STYLES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        printed = list(pool.map(lambda pair: format_item(*pair), work))
    assert printed == [format_item(*pair) for pair in work]
