"""Property tests: any query, filter, page or id gives a page or the one error shape, never a 500."""
from __future__ import annotations

import logging
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from webapp.results import FILTER_PARAMS

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=80)
PARAMS = st.fixed_dictionaries({}, optional={
    "q": st.one_of(TEXT, st.sampled_from(['"', "OR", "NOT", "title:", "a~9", "*", "(((", 'x"y', "footnote:"])),
    "page": st.one_of(st.integers(-5, 10**12).map(str), TEXT),
    "per_page": st.one_of(st.integers(-5, 500).map(str), TEXT),
    "sort": st.one_of(st.sampled_from(["relevance", "date"]), TEXT),
    **{name: TEXT for name in FILTER_PARAMS},
})
CHECKS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class ErrorLog(logging.Handler):
    """Collects what the app logs as errors."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def assert_answer(response):
    assert response.status_code in (200, 308, 400, 404, 405), response.get_data(as_text=True)[:300]
    if response.status_code != 200 and response.mimetype == "application/json":
        assert set(response.json) - {"param"} == {"ok", "status", "error", "message"}


@contextmanager
def no_logged_errors():
    """Fail if the app logs an error (an unexpected exception) inside the block."""
    log = ErrorLog()
    logging.getLogger("webapp").addHandler(log)
    try:
        yield
    finally:
        logging.getLogger("webapp").removeHandler(log)
    assert not log.records, [r.getMessage() for r in log.records]


@CHECKS
@given(params=PARAMS)
def test_any_search_parameters_get_an_answer(app, params):
    client = app.test_client()
    with no_logged_errors():
        assert_answer(client.get("/api/search", query_string=params))
        assert_answer(client.get("/", query_string=params))
        assert_answer(client.get("/export.bib", query_string=params))


@CHECKS
@given(doc_id=TEXT, section=TEXT, note=TEXT)
def test_any_document_id_gets_an_answer(app, corpus_ids, doc_id, section, note):
    client = app.test_client()
    real = corpus_ids["003"]
    with no_logged_errors():
        for path in (f"/api/documents/{doc_id}", f"/documents/{doc_id}", f"/documents/{doc_id}/cite.bib"):
            assert_answer(client.get(path.replace("?", "%3F").replace("#", "%23")))
        assert_answer(client.get(f"/documents/{real}", query_string={"section": section, "note": note, "q": doc_id}))
        assert_answer(client.get(f"/documents/{real}/cite.ris", query_string={"section": section, "note": note}))


# the query language's pieces, put together at random: words, operators, fields, phrases, groups, ranges
WORD = st.sampled_from(["treaty", "Russo-Japanese", "TCP/IP", "Kurils", "peace", "zzqx", "a", "the", "Pérouse",
                        "¹", "3.14", "C++", "what?", "wom?n", "sanct*", "*", "?", "rapprochement~", "x~99999",
                        "szzkunashiri~99999zz", "Japan–Russia", "'quoted'", "e-mail"])
PIECE = st.one_of(
    WORD, st.sampled_from(["OR", "AND", "NOT", "-", "+", "(", ")", '"', "“", "»", "^2", "~", ":", "{1 TO 2}",
                           "[a TO z]", "title:", "author:", "section:", "footnote:", "date:", "kind:"]),
    st.builds(lambda f, w: f"{f}:{w}", st.sampled_from(["title", "author", "section", "footnote", "nofield"]), WORD),
    st.builds(lambda ws: '"' + " ".join(ws) + '"', st.lists(WORD, min_size=1, max_size=4)),
    st.builds(lambda ws: "(" + " OR ".join(ws) + ")", st.lists(WORD, min_size=1, max_size=4)),
    st.builds(lambda lo, hi: f"title:[{lo} TO {hi}]", WORD, WORD))
GRAMMAR_QUERIES = st.lists(PIECE, min_size=1, max_size=12).map(" ".join)
# queries that once took seconds of CPU or answered 500 (issue 20's fuzz corpus)
FUZZ_CORPUS = ["szzkunashiri~99999zz", "zzqx {1 TO 2}", "title:[a TO z] zzqx", "*", "(" * 500 + "a" + ")" * 500,
               "log(x + c) + b", "?*?*?*?*", " OR ".join(f"{c}*" for c in "abcdefghijklmnopqrstuvwxyz"),
               '"' + "the table of " * 300 + '"', "-" * 50 + "x", "NOT a NOT b", "\x00\x01 treaty", "title:",
               '"peace treaty', "(Kurils", "Why This Book?"]


@CHECKS
@given(query=GRAMMAR_QUERIES)
def test_any_query_of_the_language_gets_a_result_or_the_error_shape(app, query):
    client = app.test_client()
    with no_logged_errors():
        assert_answer(client.get("/api/search", query_string={"q": query}))


def test_the_fuzz_corpus_gets_answers(app):
    client = app.test_client()
    with no_logged_errors():
        for query in FUZZ_CORPUS:
            response = client.get("/api/search", query_string={"q": query})
            assert_answer(response)
            assert response.status_code == 200 or response.json["param"] == "q", query
