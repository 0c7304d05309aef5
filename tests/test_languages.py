"""Japanese, Russian and the other scripts: searchable by word, in any grammatical form, with the language known.

The texts are written for these tests (tests/fixtures/languages/): a Japanese, a Russian, a French and a
German article with front matter, a plain Japanese and a plain Spanish text, and an English paper quoting
a Russian sentence.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from archive.citation import csl_item
from archive.config import Settings
from archive.exports import to_bibtex, to_ris
from archive.store import Store
from archive.styles import format_item
from indexer.index import ArchiveIndex
from indexer.operations import ingest
from indexer.options import ParseOptions
from indexer.search import ANALYZER, SearchRequest, highlight_passage, highlight_terms, search

FIXTURES = Path(__file__).parent / "fixtures" / "languages"

# (query, the fixture files it must find, first)
FINDS = [
    ("択捉島", {"kuriles-ja.md"}),
    ("北方領土", {"kuriles-ja.md"}),
    ("平和条約", {"kuriles-ja.md"}),
    ("プーチン", {"kuriles-ja.md"}),
    ("平和条約 プーチン", {"kuriles-ja.md"}),  # two words of two sections
    ("島", {"kuriles-ja.md", "notes-ja.txt"}),  # one character
    ("色丹島", {"kuriles-ja.md", "notes-ja.txt"}),
    ("流氷", {"notes-ja.txt"}),
    ('"定期船は何週間も欠航する"', {"notes-ja.txt"}),
    # the Ukrainian text shares the Russian words' stems ("острова", "договору"): found by them too
    ("острова", {"kuriles-ru.md", "quoting-ru.md", "kuriles-uk.md"}),
    ("остров", {"kuriles-ru.md", "quoting-ru.md", "kuriles-uk.md"}),  # Snowball cuts it to "остр"; the text's forms keep "остров"
    ("островов", {"kuriles-ru.md", "quoting-ru.md", "kuriles-uk.md"}),
    ("остается", {"kuriles-ru.md"}),  # typed with е, written with ё
    ("мирный договор", {"kuriles-ru.md", "kuriles-uk.md"}),
    ('"мирного договора"', {"kuriles-ru.md", "kuriles-uk.md"}),
    ("рыбак", {"kuriles-ru.md"}),
    ("остров*", {"kuriles-ru.md", "quoting-ru.md", "kuriles-uk.md"}),
    ("острава~", {"kuriles-ru.md", "quoting-ru.md", "kuriles-uk.md"}),  # one edit
    ("北方領*", {"kuriles-ja.md"}),  # a CJK word with a wildcard or fuzzy mark is the word
    ("平和条約~", {"kuriles-ja.md"}),
    ("山田", {"kuriles-ja.md"}),  # the author's family name, inside 山田花子
    ("author:山田", {"kuriles-ja.md"}),
    ("title:北方領土", {"kuriles-ja.md"}),
    ("section:漁業", {"kuriles-ja.md"}),
    ("лосось", {"quoting-ru.md"}),  # a Russian quotation in an English paper
    ("остров NOT лосось", {"kuriles-ru.md", "kuriles-uk.md"}),
    ("crews", {"quoting-ru.md"}),
    ("cheval", {"ports-fr.md"}),  # the text's "chevaux": the French stem of both is "cheval"
    ('"politique étrangère"', {"ports-fr.md"}),  # a phrase across the text's plural forms
    ("écurie", {"ports-fr.md"}),
    ("Dorf", {"inseln-de.md"}),  # the text's "Dörfer"
    ("Beziehung", {"inseln-de.md"}),
    ("económica", {"islas-es.txt"}),  # the text's "económicos", in a text whose language is detected
    ("cheval NOT Dorf", {"ports-fr.md"}),
    ("острів", {"kuriles-uk.md"}),  # Ukrainian: the text's "острови", "островів", "острова" have it as dictionary form
    ("договір", {"kuriles-uk.md"}),  # the text's "договору"
    ("рибалок міністр", {"kuriles-uk.md"}),  # the text's "Рибалки" and "міністри"
    ("острів NOT рибалка", set()),
]
MISSES = ["平和 NOT 漁師", "樺太", "Сахалин"]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """An archive of the four fixture texts, built through ``archive ingest``'s own function."""
    settings = Settings(tmp_path_factory.mktemp("languages") / "archive")
    report = ingest(sorted(FIXTURES.iterdir()), settings, ParseOptions())
    assert not report.failed
    names = {Path(item["path"]).name: item["id"] for item in report.added}
    return settings, names, report


def found(settings: Settings, names: dict[str, str], query: str, **filters) -> list[str]:
    """The fixture files a query finds, in order."""
    by_id = {doc_id: name for name, doc_id in names.items()}
    index = ArchiveIndex(settings.index_dir)
    result = search(index, SearchRequest(query, **filters))
    return [by_id[d.facts.doc_id] for d in result.documents]


@pytest.mark.parametrize("query, expected", FINDS)
def test_a_word_is_found_in_its_script_and_forms(archive, query, expected):
    settings, names, _ = archive
    assert set(found(settings, names, query)) == expected


@pytest.mark.parametrize("query", MISSES)
def test_what_the_texts_lack_is_not_found(archive, query):
    settings, names, _ = archive
    assert found(settings, names, query) == []


def test_the_language_is_detected_or_declared_and_filters(archive):
    settings, names, _ = archive
    store = Store(settings.data_dir)
    try:
        languages = {name: store.get(doc_id).meta.language for name, doc_id in names.items()}
    finally:
        store.close()
    assert languages == {"kuriles-ja.md": "ja", "notes-ja.txt": "ja", "kuriles-ru.md": "ru", "quoting-ru.md": "en",
                         "kuriles-uk.md": "uk",
                         "ports-fr.md": "fr", "inseln-de.md": "de", "islas-es.txt": "es"}
    assert set(found(settings, names, "島 OR остров OR crews", language="ja")) == {"kuriles-ja.md", "notes-ja.txt"}
    result = search(ArchiveIndex(settings.index_dir), SearchRequest("島 OR остров OR crews"))
    assert dict(result.facets["language"]) == {"ja": 2, "ru": 1, "en": 1, "uk": 1}
    assert {h.language for d in result.documents for h in d.hits} == {"ja", "ru", "en", "uk"}


def test_a_plain_japanese_text_keeps_every_character(archive):
    _, _, report = archive
    plain = next(item for item in report.added if item["path"].endswith("notes-ja.txt"))
    assert plain["kept"] >= 0.9 and plain["title"] == "色丹島の港"


@pytest.mark.parametrize("query, in_snippet, passage, language, marked", [
    ("択捉島", "<mark>択捉島</mark>", "北方領土問題は", "ja", "<mark>北方領土</mark>問題は"),
    ("cheval", "<mark>chevaux</mark>", "Les chevaux du port", "fr", "Les <mark>chevaux</mark> du port"),
    ("cheval", "<mark>chevaux</mark>", "Les chevaux du port", "en", "Les chevaux du port"),  # not English forms
    ("острів", "<mark>острови</mark>", "Біля островів", "uk", "Біля <mark>островів</mark>"),
], ids=["japanese-whole", "french-forms", "french-forms-not-in-english", "ukrainian-dictionary-forms"])
def test_a_word_is_marked_whole_and_in_its_languages_forms(archive, query, in_snippet, passage, language, marked):
    settings, _, _ = archive
    index = ArchiveIndex(settings.index_dir)
    assert in_snippet in search(index, SearchRequest(query)).documents[0].hits[0].snippet
    with index.searcher() as searcher:
        terms = highlight_terms(index, searcher, "北方領土" if language == "ja" else query)
    assert highlight_passage(passage, terms, language) == marked


def test_did_you_mean_helps_in_cyrillic_and_is_silent_in_cjk(archive):
    settings, _, _ = archive
    index = ArchiveIndex(settings.index_dir)
    assert search(index, SearchRequest("кураильских")).suggestion == "курильских"
    assert search(index, SearchRequest("樺太")).suggestion == ""
    assert search(index, SearchRequest("остров")).suggestion == ""  # a word the archive holds


def test_an_archive_without_such_languages_keeps_its_queries_as_they_were(index):
    from indexer.search import parse_query
    with index.searcher() as searcher:
        assert index.entry_table(searcher).languages == frozenset()
    assert "'cheval'" not in repr(parse_query("chevaux treaty", index, frozenset()))
    assert "Term('content', 'cheval')" in repr(parse_query("chevaux treaty", index, frozenset({"fr"})))


def test_query_and_text_analysis_agree_across_scripts():
    assert [t.text for t in ANALYZER("إِسْلَام")] == [t.text for t in ANALYZER("اسلام")]
    assert [t.text for t in ANALYZER("کتابی")] == [t.text for t in ANALYZER("كتابي")]
    assert [t.text for t in ANALYZER("Остаётся")] == [t.text for t in ANALYZER("остается")]
    assert [t.text for t in ANALYZER("北方領土", mode="query")] == ["北方", "方領", "領土"]
    assert [t.text for t in ANALYZER("Debianパッケージ", mode="query")] == ["debian", "パッ", "ッケ", "ケー", "ージ"]


def test_a_part_of_a_dotted_word_is_found_and_marked():
    text = "Load pam_unix.so from the orig.tar.gz file."
    assert {"pam_unix", "orig", "tar", "gz", "pam_unix.so", "orig.tar.gz"} <= {t.text for t in ANALYZER(text)}
    assert [t.text for t in ANALYZER("orig.tar.gz", mode="query")] == ["orig.tar.gz"]
    assert highlight_passage(text, frozenset({"pam_unix"})) == "Load <mark>pam_unix</mark>.so from the orig.tar.gz file."


@pytest.mark.parametrize("name, author, title", [
    ("kuriles-ja.md", "山田花子", "北方領土と漁業の歴史"),
    ("kuriles-ru.md", "Иванова Мария", "Курильские острова и рыболовство"),
])
def test_names_and_titles_are_cited_as_written(archive, name, author, title):
    settings, names, _ = archive
    store = Store(settings.data_dir)
    try:
        item = csl_item(store.get(names[name]))
    finally:
        store.close()
    assert item["author"] == [{"literal": author}] and item["language"] == name[8:10]
    assert format_item(item, "apa").entry.startswith(f"{author}. (")
    assert f"“{title}.”" in format_item(item, "chicago-author-date").entry
    assert f"AU  - {author}" in to_ris([item]) and f"author = {{{{{author}}}}}" in to_bibtex([item])


def test_name_variants_cross_scripts(archive):
    settings, names, _ = archive
    variants = (("Iturup", "Etorofu", "Итуруп", "択捉島"), ("Kurils", "Курилы", "Курильские", "千島"))
    index = ArchiveIndex(settings.index_dir)
    by_id = {doc_id: name for name, doc_id in names.items()}
    for query, expected in (("Iturup", {"kuriles-ja.md"}), ("Kurils", {"kuriles-ru.md"})):
        result = search(index, SearchRequest(query), variants=variants)
        assert {by_id[d.facts.doc_id] for d in result.documents} == expected
