"""HTML sources: metadata from the head, notes linked by anchors, the document's body as blocks.

Parsed with lxml (libxml2's HTML parser, which recovers from broken markup like a browser): it reads
HTML about twenty times faster than BeautifulSoup's tree builder, which dominated ingest time. Plain
``lxml.etree`` elements, not ``lxml.html``'s: those are looked up by a Python callback per element.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from lxml import etree
from lxml.etree import _Element as Element

from archive.model import Metadata
from indexer.article import article
from indexer.blocks import Block, SourceText
from indexer.htmlmeta import head_metadata, highwire_authors, not_container
from indexer.metadata import clean_author

# a <noscript>'s text stays, as trafilatura keeps it on article pages: what a reader without scripts sees
DROP_TAGS = ["script", "style", "iframe", "object", "embed", "form", "nav", "aside", "button",
             "svg", "template", "figcaption", "select", "textarea", "input"]
INVISIBLE = ["script", "style", "iframe", "object", "embed", "template"]
BLOCK_TAGS = ["h1", "h2", "h3", "h4", "h5", "h6", "hgroup", "p", "li", "blockquote", "pre", "dt", "dd", "div",
              "section", "tr", "hr", "td"]
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# text whose innermost block is a <p> is paragraph text (source_text); so is that of one of these with a
# paragraph's length, on a document page (a generator's, or one writing its paragraphs so). A list
# item's or a table cell's is not: menus and tables of links are lists and cells. On article pages
# the longer blocks were comments and teasers, which the article is rightly without: counted, they
# put 136 of 300 devset web pages under 80 % kept, against 85 with <p> alone
PARAGRAPH_HOLDERS = frozenset({"div", "pre", "dd", "blockquote"})
MIN_PARAGRAPH = 80
BLOCK_LEVEL = frozenset({*BLOCK_TAGS, "ul", "ol", "dl", "table", "th", "article", "main", "header", "footer", "nav",
                         "aside", "figure", "form", "body", "address", "details", "summary", "caption"})
CHROME_ATTR = re.compile(r"comment|share|social|related|newsletter|subscribe|cookie|banner|promo|breadcrumb"
                         r"|sidebar|masthead|site-?header|site-?footer|menu|nav(?:header|footer|bar|igation)", re.I)
NOTE_CONTAINER = re.compile(r"foot-?notes?|end-?notes?|references", re.I)
NOTE_HOLDERS = ("div", "section", "aside", "footer", "ol", "ul", "li", "dl", "table", "p")  # not a marker's <sup>
NOTE_TYPES = re.compile(r"\b(?:doc-)?(?:end|foot|rear)notes?\b")
BACKLINK = re.compile(r"^(?:↩|↑|\^|back|return)", re.I)
PERMALINK = re.compile(r"^\s*[¶§#🔗⚓]\s*$")
DOC_GENERATORS = re.compile(r"docutils|sphinx|docbook|publican|mkdocs|pandoc|asciidoctor|antora|makeinfo|texi2any"
                            r"|doxygen|javadoc|docusaurus", re.I)
# a generator's credit at a page's foot ("Created using <a>Sphinx</a>"): Sphinx writes no generator tag on its
# index, search and module-index pages
GENERATOR_CREDIT = re.compile(r"\b(?:created|generated|built|made)\s+(?:using|by|with)\s*(?:<[^>]*>\s*)*"
                              r"(?:sphinx|mkdocs|doxygen|docusaurus|asciidoctor|antora|texi2any|gnu texinfo)\b", re.I)
CREDIT_CHARS = 8000  # how much of a page's end holds its credit line
ORDINAL_HEADING = re.compile(r"^(?:(?:chapter|book|part|section|article)\s+)?(?:[ivxlcdm]+|\d+|\([a-z\d]+\))\.?$", re.I)
PART_TYPES = {"titlepage", "halftitlepage", "imprint", "epigraph", "dedication", "foreword", "preface", "prologue",
              "introduction", "epilogue", "afterword", "acknowledgments", "appendix", "glossary", "bibliography",
              "colophon", "copyright-page", "conclusion", "abstract"}
TYPED = etree.XPath("//*[@role or @*[name()='epub:type']]")
SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")  # a note marker written "¹" is note 1
HIDDEN_TAGS = frozenset({"script", "style", "noscript", "template"})
PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
EMPTY = b"<html><body></body></html>"


@dataclass
class HtmlParse:
    """The blocks of a page (notes as note blocks), its metadata, and how much text it had."""

    blocks: list[Block]
    meta: Metadata
    source: SourceText


def parse_html(html: str, whole_body: bool = False) -> HtmlParse:
    """Blocks of the document's body and notes, and the metadata the markup states.

    Pages that mark their structure (books and chapters in EPUB or DPUB markup, pages of a
    documentation generator) keep their whole main region; other pages keep the article that
    trafilatura finds. ``whole_body`` is for HTML made from Markdown, EPUB or Word: all of it content.
    """
    root = _parse(html)
    source = source_text(root)
    _drop_permalinks(root)
    meta = Metadata() if whole_body else head_metadata(root)
    for tag in list(root.iter(*INVISIBLE)):  # text no reader sees: scripts, frames' fallbacks
        if tag.get("type") != "application/ld+json":  # page metadata, read by trafilatura too
            _drop(tag)
    notes = take_notes(root)
    document_page = whole_body or is_structured(root, html)
    # a documentation page's blocks are all its text; so are those of a page writing its paragraphs in
    # divs (DocBook's div.para), which its article must then hold to count as kept
    source = source.with_blocks() if document_page or source.block_chars > source.paragraph_chars else source
    found = None if document_page else article(root)
    if found:
        blocks, page_meta = found
        source = source._replace(article=True)
        read = tuple(filter(None, map(clean_author, page_meta.authors)))
        # a citation_author tag is one person; trafilatura split "Tanaka, Hiroshi" into two; and it reads
        # citation_journal_title as the site's name, which is no publisher
        merged = page_meta.merged_with(meta)
        meta = replace(merged, title=meta.title or merged.title, authors=highwire_authors(root) or read or meta.authors,
                       publisher=not_container(merged.publisher, merged.container_title))
    else:
        blocks = structured_blocks(root, meta.title, whole_body)
    return HtmlParse(_normalise_levels(blocks, meta.title) + notes, meta, source)


def is_structured(root: Element, html: str = "") -> bool:
    """True for a page that marks its parts: EPUB or DPUB sections, or a documentation generator's page
    (named by its generator tag, or by its credit line at the page's foot).

    >>> page = '<html><body><div role="main"><p>Index</p></div><p>Created using <a href="/">Sphinx</a> 5.3.</p></body></html>'
    >>> is_structured(_parse(page), page), is_structured(_parse("<p>Built with care</p>"), "<p>Built with care</p>")
    (True, False)
    """
    generator = " ".join(m.get("content") or "" for m in root.iter("meta") if (m.get("name") or "").lower() == "generator")
    return bool(DOC_GENERATORS.search(generator) or GENERATOR_CREDIT.search(html[-CREDIT_CHARS:]) or typed_parts(root))


def typed_parts(element: Element) -> list[Element]:
    """The page's EPUB or DPUB parts: sections, articles, divs or the body with an ``epub:type`` or a
    ``doc-`` role, anywhere in the element's document (as XPath's ``//``; walked in Python, five times
    faster than libxml2's XPath testing each element's name).

    >>> [t.tag for t in typed_parts(_parse('<body><section epub:type="chapter"><div role="doc-endnotes"/></section></body>'))]
    ['section', 'div']
    """
    return [tag for tag in element.getroottree().getroot().iter("section", "article", "div", "body")
            if tag.get("epub:type") is not None or (tag.get("role") or "").startswith("doc-")]


def structured_blocks(root: Element, title: str, whole_body: bool = False) -> list[Block]:
    """Every part of a page that marks its structure, without chrome, as blocks."""
    for tag in list(root.iter(*DROP_TAGS)):
        _drop(tag)
    body = root.find("body")
    body = root if body is None else body
    main = body if whole_body else find_main(body)
    for line_break in main.iter("br", "td", "th"):  # inline text is joined as written; these separate words
        line_break.tail = " " + (line_break.tail or "")
    _title_typed_parts(main, title)
    _wrap_loose_text(main)
    return element_blocks(main)


def source_text(root: Element) -> SourceText:
    """How many characters of visible text, and of paragraph text, a parsed page holds.

    Paragraph text is the text whose innermost block is a ``<p>`` (``paragraph_chars``), or a ``<div>``
    (a DocBook ``div.para``, a note box), ``<pre>``, ``<dd>`` or ``<blockquote>`` of a paragraph's length,
    MIN_PARAGRAPH characters (``block_chars``), so a page that writes its paragraphs without ``<p>`` is
    measured too. One walk over the tree: libxml2's XPath for the same text nodes (``//body//text()
    [not(ancestor::script …)]``) took 17 s on a 3.5 MB page of 70,000 elements, in time that grows with
    their square.

    >>> source_text(_parse("<body>Top <p>One <b>two</b> <script>x()</script>three</p> <noscript><p>Hi</p></noscript></body>"))
    SourceText(chars=14, paragraph_chars=11, block_chars=0, article=False)
    >>> para = "Text " * 20
    >>> source_text(_parse(f"<body><div class='para'>{para}</div><div><div>Share</div><ul><li>x</li></ul></div></body>"))
    SourceText(chars=105, paragraph_chars=0, block_chars=99, article=False)
    """
    counts = [text_counts(body) for body in root.iter("body")]
    return SourceText(*(sum(c[i] for c in counts) for i in range(3)))


def text_counts(top: Element, totals: dict | None = None) -> SourceText:
    """Characters of visible text, and of paragraph text, under one element (see source_text); given
    ``totals``, each block element's paragraph characters (``<p>`` and blocks of text) are put in it.
    """
    visible = paragraphs = in_blocks = 0
    hidden = code = 0  # code: script and style, left out of both counts
    # the open blocks: [tag, its own text's length (a text is its innermost block's), paragraph text under it]
    blocks: list[list] = [["", 0, 0]]
    for event, element in etree.iterwalk(top, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            hidden, code = hidden + (tag in HIDDEN_TAGS), code + (tag in ("script", "style"))
            blocks += [[tag, 0, 0]] if tag in BLOCK_LEVEL else []
            piece = element.text if tag else None
        else:
            if tag in BLOCK_LEVEL:
                name, chars, under = blocks.pop()
                own_p = chars if name == "p" else 0
                own_block = chars if name in PARAGRAPH_HOLDERS and chars >= MIN_PARAGRAPH else 0
                paragraphs, in_blocks = paragraphs + own_p, in_blocks + own_block
                blocks[-1][2] += under + own_p + own_block
                if totals is not None:
                    totals[element] = under + own_p + own_block
            hidden, code = hidden - (tag in HIDDEN_TAGS), code - (tag in ("script", "style"))
            piece = element.tail if element is not top else None
        if piece:
            size = len(" ".join(piece.split()))
            visible += size if not hidden else 0
            blocks[-1][1] += size if not hidden and not code else 0
    return SourceText(visible, paragraphs, in_blocks)


def _parse(html: str) -> Element:
    """The document element; an empty one for a document with no markup at all."""
    root = etree.fromstring(html.encode("utf-8") or EMPTY, parser=PARSER)
    return etree.fromstring(EMPTY, parser=PARSER) if root is None else root


def text_of(tag: Element, separator: str = " ") -> str:
    """The text inside an element, its pieces stripped and joined (BeautifulSoup's get_text(sep, strip=True))."""
    return separator.join(piece.strip() for piece in tag.itertext() if piece.strip())


def text_content(tag: Element) -> str:
    """All the text inside an element, unchanged."""
    return "".join(tag.itertext())


def _drop(tag: Element) -> None:
    """Remove an element and what it contains, keeping the text that follows it."""
    if tag.getparent() is not None:
        _replace_with_text(tag, "")


def _replace_with_text(tag: Element, text: str) -> None:
    """Put plain text where an element was."""
    previous, parent = tag.getprevious(), tag.getparent()
    addition = text + (tag.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + addition
    else:
        parent.text = (parent.text or "") + addition
    parent.remove(tag)


CLASSES = etree.XPath("descendant-or-self::*/@class", smart_strings=False)
IDS = etree.XPath("descendant-or-self::*/@id", smart_strings=False)  # apart: a union is sorted, and slower


def _labelled(root: Element, pattern: re.Pattern) -> list[Element]:
    """The elements under ``root`` (itself included) whose class or id matches ``pattern``, in document order."""
    # manual pages label thousands of elements (code highlighting) with a few repeated values: each
    # distinct value is matched once, then one walk takes the elements of the matching ones (libxml2's
    # XPath comparing each element's attributes with the values took 0.2 s on a page of 48,000 elements)
    labels = {label for label in {*CLASSES(root), *IDS(root)} if pattern.search(label)}
    if not labels:
        return []
    return [tag for tag in root.iter() if tag.get("class") in labels or tag.get("id") in labels]


def _classes_and_id(tag: Element) -> str:
    """An element's class names and id, as one string to match."""
    return f"{tag.get('class') or ''} {tag.get('id') or ''}"


def take_notes(root: Element) -> list[Block]:
    """Note blocks from the elements that in-text note links point at; markers become ``[^n]``.

    Notes labelled with letters (DocBook's table notes: ``[a]``) are numbered on after the page's
    numbered notes, so every note has one number.
    """
    notes: list[Block] = []
    by_id: dict[str, Element] = {}
    for tag in root.xpath("//*[@id]"):
        by_id.setdefault(tag.get("id"), tag)  # the first element with an id wins, as in a browser
    links = [(link, label, by_id.get(fragment)) for link in root.iter("a")
             if (fragment := _own_fragment(link.get("href") or "")) and (label := _note_label(link))]
    last_numbered = max((int(label) for _, label, _ in links if label.isdecimal()), default=0)
    for link, label, target in links:
        if target is None or not _attached(link, root) or target in link.iterancestors() or _in_note(link) \
                or not _looks_like_note(target):
            continue
        number = int(label) if label.isdecimal() else last_numbered + ord(label) - ord("a") + 1
        marker = link.getparent() if link.getparent().tag == "sup" else link
        _replace_with_text(marker, f"[^{number}]")
        if target.getparent() is not None and _attached(target, root):
            body = _note_body(target)
            notes.append(Block(_note_text(body, label), "note", number=number, italic=italic_phrases(body)))
    _drop_emptied_note_lists(root)
    return notes


def italic_phrases(element: Element) -> tuple[str, ...]:
    """The phrases an element sets in italics (``i``, ``em``, ``cite``), each once, in order.

    >>> italic_phrases(_parse("<p>See <i>The  Coast Times</i>, and <em>Ibid.</em></p>").find(".//p"))
    ('The Coast Times', 'Ibid.')
    """
    phrases = (" ".join(text_of(tag).split()) for tag in element.iter("i", "em", "cite"))
    return tuple(dict.fromkeys(phrase for phrase in phrases if phrase))


def _own_fragment(href: str) -> str:
    """The fragment of a link within the page (``#n1``, or ``page.html#n1`` naming a file beside it)."""
    page, _, fragment = href.partition("#")
    return fragment if fragment and ("/" not in page and ":" not in page) else ""


def _note_label(link: Element) -> str:
    """A note link's label: digits, or one lower-case letter; '' for any other link.

    >>> [_note_label(_parse(f"<a href='#n'>{t}</a>").find(".//a")) for t in ("[12]", "(a)", "Next", "<sup>3</sup>", "¹²")]
    ['12', 'a', '', '3', '12']
    """
    label = text_of(link, "").strip("[]() ").translate(SUPERSCRIPT_DIGITS)
    return label if (label.isascii() and label.isdecimal()) or (len(label) == 1 and "a" <= label <= "z") else ""


def _looks_like_note(target: Element) -> bool:
    """A link's target can be a note: it holds no heading and is not a long part of the text."""
    return next(target.iter(*HEADINGS), None) is None and len(text_content(target)) < 8000


def _note_body(target: Element) -> Element:
    """The element holding a note's text, cut out of the page: a ``dt`` label's ``dd``, else the target."""
    following = target.getnext()
    if target.tag == "dt" and following is not None and following.tag == "dd":
        following.insert(0, target)  # the label travels with the text; its back-link is removed with the rest
        target = following
    _drop(target)
    return target


def _drop_emptied_note_lists(root: Element) -> None:
    """Remove note lists the notes were taken from, when nothing but a heading or a rule is left."""
    typed = [t for t in TYPED(root) if NOTE_TYPES.search(f"{t.get('role') or ''} {t.get('epub:type') or ''}")]
    for container in _labelled(root, NOTE_CONTAINER) + typed:
        if not _attached(container, root):
            continue
        headings = "".join(text_of(h, "") for h in container.iter(*HEADINGS))
        if not text_of(container, "").replace(headings, "", 1).strip("—-_ "):
            _drop(container)


def _mostly_links(tag: Element) -> bool:
    """True for chrome: an element whose text is mostly link text, or that has no paragraph text.

    A DocBook ``div.sidebar`` is a box of the text; a Sphinx ``div.sphinxsidebar`` is a list of links.

    >>> _mostly_links(_parse("<div class='sidebar'><a href='/a'>Home</a> <a href='/b'>Next page</a></div>").find(".//div"))
    True
    >>> box = "<div class='sidebar'><div>A box of the text that says what the page says, with <a href='x'>a link</a>."
    >>> _mostly_links(_parse(box + " It is part of the text.</div></div>").find(".//div"))
    False
    """
    text = len(" ".join(text_content(tag).split()))
    links = sum(len(" ".join(text_content(a).split())) for a in tag.iter("a"))
    return links >= 0.5 * text or not text_counts(tag).with_blocks().paragraph_chars


def _attached(tag: Element, root: Element) -> bool:
    """True while an element is still inside the document (not in a removed subtree)."""
    for ancestor in tag.iterancestors():
        if ancestor is root:
            return True
    return tag is root


def _in_note(link: Element) -> bool:
    """True if a link sits inside a footnote list (a back-link, not a marker)."""
    return any(NOTE_CONTAINER.search(_classes_and_id(p)) for p in link.iterancestors(*NOTE_HOLDERS))


# one compiled pattern for every note (a pattern per number filled re's cache: 0.6 ms a note)
NOTE_LABEL = re.compile(r"(?:\[[\s,]*(?:(?P<bracketed>[^\s,\[\]()]+)[\s,]*)?\]"
                        r"|\([\s,]*(?:(?P<parenthesized>[^\s,\[\]()]+)[\s,]*)?\)|(?P<dotted>[^\s,\[\]().]+)[.)])\s*")


def _note_text(note: Element, number: int | str) -> str:
    """A note's text without its back-links and without a label repeating its number or letter.

    >>> _note_text(_parse('<div id="n"><sup>[<a href="#r1">3</a>] </sup>Text. <a href="#r1">↩</a></div>').find(".//div"), 3)
    'Text.'
    >>> _note_text(_parse('<dd>[4] <span class="fn-backref">(<a href="#a">1</a>,<a href="#b">2</a>)</span> Text.</dd>').find(".//dd"), 4)
    'Text.'
    """
    for back in list(note.iter("a")):
        back_text = text_of(back, "")
        classes = f"{back.get('class') or ''} {back.getparent().get('class') or ''}"
        if BACKLINK.match(back_text) or "backref" in classes or back.get("role") == "doc-backlink" \
                or (back_text.strip("[]() ") == str(number) and (back.get("href") or "").startswith("#")):
            _drop(back)
    return without_label(" ".join(text_of(note).split()), str(number))


def without_label(text: str, label: str) -> str:
    """A note's text without what is left of its label once its back-links are gone: "[1]", "(1)",
    "1.", or the "(,,)" of Sphinx's several back-links.

    >>> without_label("[3] (,) 3. Text.", "3"), without_label("[4] Text.", "3")
    ('Text.', '[4] Text.')
    """
    while True:
        found = NOTE_LABEL.match(text)
        if not found or (found.group("bracketed") or found.group("parenthesized") or found.group("dotted")
                         or label) != label:
            return text
        text = text[found.end():]


def find_main(body: Element) -> Element:
    """The main region: <main> or role=main, else the element holding nearly all the paragraph text."""
    for tag in list(body.iter("header", "footer")):
        if not any(a.tag in ("article", "main", "section") for a in tag.iterancestors()):
            _drop(tag)
    if not typed_parts(body):  # a book's parts carry no site chrome, and their ids are words of the text
        for tag in _labelled(body, CHROME_ATTR):
            if tag.tag not in ("body", "article", "main", "html") and _attached(tag, body) and _mostly_links(tag):
                _drop(tag)
    marked = list(body.iter("main")) or [t for t in body.iter() if t.get("role") == "main"]
    if marked:
        return max(marked, key=lambda t: len(text_content(t)))
    return _holding_paragraphs(body)


def _holding_paragraphs(element: Element, share: float = 0.9) -> Element:
    """The innermost element that still holds ``share`` of the paragraph text (``<p>`` and blocks of text):
    all the parts, no chrome; never a lone paragraph, which is the text and not its region.

    >>> page = "<body><div class='nav'><a>Prev</a></div><div><h2>Title</h2><p>" + "Words " * 30 + "</p></div></body>"
    >>> [child.tag for child in _holding_paragraphs(_parse(page).find("body"))]
    ['h2', 'p']
    """
    totals: dict = {}
    total = text_counts(element, totals).with_blocks().paragraph_chars
    while total:
        inner = next((child for child in element if totals.get(child, 0) >= share * total
                      and next(child.iterdescendants(*BLOCK_TAGS), None) is not None), None)
        if inner is None:
            break
        element = inner
    return element


def _title_typed_parts(main: Element, title: str) -> None:
    """Give an untitled EPUB or DPUB part its type as heading ("Epigraph"); so too the title page.

    A title page's heading is the document's title, which the title already says.
    """
    for part in typed_parts(main):
        kind = _part_type(part)
        if not kind:
            continue
        heading = next((h for h in part.iter(*HEADINGS, "hgroup")
                        if next(h.iterancestors("section", "article"), part) is part), None)
        if heading is None:
            depth = sum(1 for _ in part.iterancestors("section", "article"))
            label = etree.Element(f"h{min(6, depth + 2)}")
            label.text = kind
            part.insert(0, label)
        elif kind == "Titlepage" and text_of(heading) == title:
            heading.text, heading[:] = kind, []


def _part_type(part: Element) -> str:
    """The structural type of a part as a heading ("Titlepage", "Epigraph"), or '' for a plain one."""
    kinds = f"{part.get('epub:type') or ''} {(part.get('role') or '').removeprefix('doc-')}".split()
    kind = next((k for k in kinds if k in PART_TYPES), "")
    return kind.replace("-", " ").capitalize()


def _drop_permalinks(root: Element) -> None:
    """Remove permalink anchors (Sphinx's ``¶``, ``#``, ``§``) that headings and captions carry."""
    for link in list(root.iter("a")):
        if "headerlink" in (link.get("class") or "") or PERMALINK.match(text_of(link, "")):
            _drop(link)


def _wrap_loose_text(root: Element) -> None:
    """Text a block holds beside blocks of its own (a DocBook ``div.para`` with a list or a URL box in it)
    as paragraphs in its place: element_blocks reads the innermost blocks only, and lost it.

    A list item holding a nested list keeps its own text as an item (a table of contents' "6. Best
    Packaging Practices" above its sub-entries).

    >>> box = _parse("<div>Install it: <div>apt install x</div> then <b>run</b> it.</div>").find(".//div")
    >>> _wrap_loose_text(box)
    >>> [b.text for b in element_blocks(box)]
    ['Install it:', 'apt install x', 'then run it.']
    >>> contents = _parse("<ul><li><a href='p.html'>6. Practices</a><ul><li>6.1. Rules</li></ul></li></ul>").find(".//ul")
    >>> _wrap_loose_text(contents)
    >>> [(b.kind, b.text) for b in element_blocks(contents)]
    [('item', '6. Practices'), ('item', '6.1. Rules')]
    """
    blocks = list(root.iter(*BLOCK_TAGS))
    holders = _holding_blocks(blocks, root)
    for tag in blocks:
        if tag.tag in ("hgroup", *HEADINGS) or tag not in holders:
            continue
        wrapper = "li" if tag.tag == "li" else "p"
        loose = None  # the paragraph gathering the current run of text and inline elements
        if (tag.text or "").strip():
            loose = etree.Element(wrapper)
            loose.text, tag.text = tag.text, None
            tag.insert(0, loose)
        for child in list(tag):
            if child is loose:
                continue
            if _is_block(child) or child in holders:
                loose = None
                if (child.tail or "").strip():
                    loose = etree.Element(wrapper)
                    loose.text, child.tail = child.tail, None
                    child.addnext(loose)
                continue
            if loose is None:
                loose = etree.Element(wrapper)
                child.addprevious(loose)
            loose.append(child)  # with its tail


def _is_block(tag: Element) -> bool:
    """Whether an element is one of the blocks element_blocks reads."""
    return isinstance(tag.tag, str) and tag.tag in BLOCK_TAGS


def _holding_blocks(blocks: list[Element], root: Element) -> set[Element]:
    """The elements up to ``root`` with a block inside them (a nested ``<ul>`` of list items), found by one
    walk up from each block that stops where an earlier walk went."""
    holders: set[Element] = set()
    for block in blocks:
        for parent in block.iterancestors():
            if parent in holders:
                break
            holders.add(parent)
            if parent is root:
                break
    return holders


def element_blocks(root: Element) -> list[Block]:
    """Leaf block elements in document order: headings with levels, paragraphs, list items, rules."""
    blocks: list[Block] = []
    grouped = {t for group in root.iter("hgroup") for t in group.iterdescendants()}  # read with their group
    tags = [t for t in root.iter(*BLOCK_TAGS) if t is not root and t not in grouped]
    containers = _holding_blocks(tags, root)  # the blocks that hold blocks: their text is read in those
    for tag in tags:
        if tag.tag == "hr":
            blocks.append(Block("* * *", "sep"))
        elif tag.tag == "hgroup":
            heading, lines = heading_group(tag)
            level = min((int(h.tag[1]) for h in tag.iter(*HEADINGS)), default=2)
            blocks += [Block(heading, "heading", level=level)] + [Block(line) for line in lines]
        elif tag not in containers and (text := _block_text(tag)):
            kind = "heading" if tag.tag in HEADINGS else "item" if tag.tag == "li" else "para"
            blocks.append(Block(text, kind, level=int(tag.tag[1]) if kind == "heading" else 0))
    return blocks


def heading_group(group: Element) -> tuple[str, list[str]]:
    """An <hgroup>'s heading and its other lines; a bare ordinal ("IV") is joined to the title after it.

    >>> heading_group(_parse("<hgroup><h3>IV</h3><p>Slavery</p></hgroup>").find(".//hgroup"))
    ('IV: Slavery', [])
    >>> heading_group(_parse("<hgroup><h2>Tides</h2><p>A subtitle</p></hgroup>").find(".//hgroup"))
    ('Tides', ['A subtitle'])
    """
    heading = next(group.iter(*HEADINGS), None)
    lines = [_block_text(t) for t in group if t is not heading and _block_text(t)]
    text = _block_text(heading) if heading is not None else lines.pop(0) if lines else ""
    if ORDINAL_HEADING.match(text) and lines:
        return f"{text}{' ' if text.endswith(')') else ': '}{lines[0]}", lines[1:]
    return text, lines


def _block_text(tag: Element) -> str:
    """A block's text with white space folded and markers against the word before them."""
    text = " ".join("".join(tag.itertext()).split())
    return re.sub(r"\s+(\[\^\d+\])", r"\1", text) if "[^" in text else text


def _normalise_levels(blocks: list[Block], title: str) -> list[Block]:
    """Drop an opening heading that repeats the title; make the highest remaining heading level 1."""
    first = next((b for b in blocks if b.kind == "heading"), None)
    blocks = [b for b in blocks if not (b is first and b.text == title)]
    levels = sorted({b.level for b in blocks if b.kind == "heading"})
    for block in blocks:
        if block.kind == "heading":
            block.level = levels.index(block.level) + 1
    return blocks
