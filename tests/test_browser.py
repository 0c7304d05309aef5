"""Real browser tests: chromium types a query, follows a hit, jumps between notes and uses a facet."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser import CHROMIUM_ARGS, chromium_path, live_server


@pytest.fixture(scope="module")
def base_url(app):
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert not errors, errors


def test_type_a_query_and_follow_a_hit_to_its_section(page, base_url):
    page.goto(base_url + "/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("hikiwake")
    page.keyboard.press("Enter")
    expect(page.locator(".result")).to_have_count(2)
    assert page.url.endswith("/?q=hikiwake"), "no empty dates or default order in the address"
    expect(page.locator(".snippet mark").first).to_have_text(re.compile("hikiwake", re.I))
    link = page.locator(".passage a.place").first
    anchor = link.get_attribute("href").split("#")[1]
    link.click()
    page.wait_for_url(re.compile(f"#{anchor}$"))
    expect(page.locator(f"[id='{anchor}']")).to_be_in_viewport()
    expect(page.locator(f"[id='{anchor}'] mark").first).to_have_text(re.compile("hikiwake", re.I))


def test_jump_from_a_note_marker_to_its_note_and_back(page, base_url, corpus_ids):
    page.goto(f"{base_url}/documents/{corpus_ids['003']}")
    marker = page.locator("a#ref-5-1")
    marker.hover()
    expect(page.locator(".ref:hover .note-preview")).to_be_visible()
    marker.click()
    page.wait_for_url(re.compile("#note-5$"))
    expect(page.locator("#note-5")).to_be_in_viewport()
    page.locator("#note-5 a.backref").first.click()
    page.wait_for_url(re.compile("#ref-5-1$"))
    expect(page.locator("#ref-5-1")).to_be_in_viewport()


def test_the_reader_opens_at_the_first_match_and_steps_through_them(page, base_url, corpus_ids):
    page.goto(f"{base_url}/documents/{corpus_ids['003']}?q=rapprochement")
    marks = page.locator(".text mark:not(.note-preview mark)")
    total = marks.count()
    assert total > 2
    expect(marks.nth(0)).to_be_in_viewport()
    expect(page.locator(".match-count")).to_have_text(f"Match 1 of {total}")
    page.get_by_role("button", name="Next match").click()
    expect(page.locator(".match-count")).to_have_text(f"Match 2 of {total}")
    expect(marks.nth(1)).to_be_in_viewport()
    expect(marks.nth(1)).to_have_class("current")
    page.get_by_role("button", name="Previous match").click()
    page.get_by_role("button", name="Previous match").click()
    expect(page.locator(".match-count")).to_have_text(f"Match {total} of {total}")  # round to the last
    expect(marks.nth(total - 1)).to_be_in_viewport()


def test_use_a_facet_and_remove_it(page, base_url):
    page.goto(base_url + "/?q=russia")
    before = page.locator(".result").count()
    assert before > 1
    page.locator(".facet[data-facet=author] a", has_text="Céline Pajon").click()
    expect(page.locator(".result")).to_have_count(1)
    expect(page.locator(".result h2")).to_contain_text("Limits of a Strategic Rapprochement")
    page.locator(".chips a", has_text="Céline Pajon").click()
    expect(page.locator(".result")).to_have_count(before)


def test_narrow_screen_has_no_sideways_scrolling(browser, base_url, corpus_ids):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    for path in ("/?q=russia", f"/documents/{corpus_ids['003']}"):
        page.goto(base_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.goto(base_url + "/?q=russia")
    facets, first = page.locator(".facets").bounding_box(), page.locator(".result").first.bounding_box()
    assert facets["y"] < first["y"] and facets["height"] < 800, "on a phone the filters come first, compact"
    context.close()


def test_related_documents_load_when_the_end_of_the_reader_is_reached(browser, base_url, corpus_ids):
    page = browser.new_page()
    page.goto(f"{base_url}/documents/{corpus_ids['003']}")
    expect(page.locator("#related a", has_text="Show the documents most like this one")).to_have_count(1)
    page.locator("#related").scroll_into_view_if_needed()
    expect(page.locator("#related li a").first).to_be_visible()
    assert page.locator("#related li a").count() >= 2 and not page.locator("#related[data-fragment]").count()
    page.close()


def test_cite_dialog_copies_a_citation_and_downloads_the_bib(browser, base_url, corpus_ids):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.goto(f"{base_url}/documents/{corpus_ids['003']}")
    page.locator(".reader-tools a", has_text="Cite").click()
    page.wait_for_url(re.compile("#cite$"))
    expect(page.locator("#cite")).to_be_in_viewport()
    page.locator("#cite .style", has_text="APA 7").locator("button.copy").first.click()
    expect(page.locator("#cite .style", has_text="APA 7").locator("button.copy").first).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()").startswith("Pajon, C. (2017).")
    html = page.evaluate("(async () => { const [item] = await navigator.clipboard.read();"
                         " return await (await item.getType('text/html')).text(); })()")
    assert re.search(r"<i>[^<]+</i>", html), "the title keeps its italics as formatted text"
    with page.expect_download() as download:
        page.locator("#cite a", has_text="BibTeX").click()
    assert download.value.suggested_filename.endswith(".bib")
    assert "@techreport{pajon2017japan" in Path(download.value.path()).read_text(encoding="utf-8")
    context.close()


AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's script, as the axe-playwright-python package ships it."""
    from importlib.resources import files

    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_core_finds_no_violation_on_any_kind_of_page(browser, base_url, corpus_ids, axe_source, width):
    """WCAG 2.2 A and AA and axe's best practices, on every kind of page, wide and on a phone."""
    first = next(iter(corpus_ids.values()))
    paths = ["/", "/?q=russia", "/?q=zzzqqqxx", "/?q=a&page=0", "/documents", "/no-such-page",
             f"/documents/{first}/citations", f"/documents/{corpus_ids['003']}?q=rapprochement",
             *(f"/documents/{doc_id}" for doc_id in corpus_ids.values())]
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for path in paths:
        page.goto(base_url + path)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the parts fetched when seen
        page.wait_for_load_state("networkidle")
        page.evaluate(axe_source)
        violations = page.evaluate("async (rules) => (await axe.run(document, {runOnly: rules})).violations"
                                   ".map(v => `${v.id} (${v.nodes.length}): ${v.nodes[0].html.slice(0, 80)}`)",
                                   AXE_RULES)
        if violations:
            found[path] = violations
    context.close()
    assert found == {}
