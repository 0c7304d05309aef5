"""One path for every document: read → clean → split → Document. Pure: no store, no index."""
from __future__ import annotations

import datetime
import json
from dataclasses import replace
from pathlib import Path

import yaml

from archive.errors import SourceError
from archive.model import Document, Extraction, Metadata, SourceInfo, strip_markers
from indexer.clean import TocEntry, clean, is_furniture
from indexer.htmlsource import parse_html
from indexer.mdsource import (FrontMatterError, is_date, load_yaml, markdown_to_html, metadata_from_mapping,
                              split_front_matter)
from indexer.options import ParseOptions
from indexer.pdfsource import assign_pages
from indexer.read import PACKAGES, Source, path_text, read_source
from indexer.sections import slugify
from indexer.blocks import SourceText
from indexer.split import Split, split_blocks, split_text

SIDECAR_SUFFIXES = (".meta.json", ".meta.yaml", ".meta.yml")


def parse_file(path: Path, options: ParseOptions) -> Document:
    """Read, clean and split one file into a Document (its id derived from title and content)."""
    source = read_source(path, options.max_bytes)
    sidecar = read_sidecar(source.path)
    return parse_source(source, replace(options, overrides=sidecar.merged_with(options.overrides)))


def parse_source(source: Source, options: ParseOptions) -> Document:
    """Split decoded text by its format; explicit metadata (flags, sidecar) beats what the text says."""
    try:
        split = _split(source)
    except RecursionError:
        raise SourceError(source.path, "HTML is nested too deeply to read") from None
    if not any(s.title or s.paragraphs for s in split.sections) and not split.footnotes:
        raise SourceError(source.path, "no text to index: the file shows no text (it is empty, holds only scripts and "
                                       "markup, or its markup is nested too deeply to read)")
    meta = split.meta.merged_with(options.overrides)
    if not meta.title:
        meta = meta.merged_with(Metadata(title=path_text(source.path.stem)))
    info = SourceInfo(path_text(source.path.resolve()), source.sha256, source.format, source.encoding,
                      len(source.data), datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))
    return Document(document_id(meta.title, source.sha256), meta, split.sections, split.footnotes,
                    split.parts, info, extraction(split, source))


def extraction(split: Split, source: Source) -> Extraction:
    """How much of the source's text the split kept, in the body, the notes and the parts."""
    def chars(texts) -> int:
        return sum(len(" ".join(strip_markers(t).split())) for t in texts)

    counted = split.source or SourceText(chars([source.text]), chars([source.text]))
    body = chars(t for s in split.sections for t in (s.title, *s.paragraphs))
    return Extraction(counted.chars, counted.paragraph_chars, body, chars(n.text for n in split.footnotes),
                      chars(t for texts in split.parts.values() for t in texts), article=counted.article)


def _split(source: Source) -> Split:
    """The split of one source, by format."""
    if source.format == "text":
        return split_text(clean(source.text))
    if source.format == "pdf":
        cleaned = clean(source.text, running_heads=False)
        if source.outline:
            cleaned = replace(cleaned, toc=[TocEntry(title, level) for level, title in source.outline], outline=True)
        split = split_text(cleaned)
        assign_pages(split.sections, split.footnotes, source.pages)
        return replace(split, meta=pdf_metadata(source.meta, split.meta))
    if source.format == "markdown":
        try:
            front, body = split_front_matter(source.text)
        except FrontMatterError as err:
            raise SourceError(source.path, str(err)) from None
        try:
            known = metadata_from_mapping(front)
        except FrontMatterError as err:
            raise SourceError(source.path, f"front matter: {err}") from None
        page = parse_html(markdown_to_html(body), whole_body=True)
        return replace(split_blocks(page.blocks, [], known=known), source=page.source)
    if source.format in PACKAGES:  # all of the page is the document's own text
        page = parse_html(source.text, whole_body=True)
        return replace(split_blocks(page.blocks, [], known=source.meta), source=page.source)
    page = parse_html(source.text)
    blocks = [b for b in page.blocks if not is_furniture(b.text)]
    return replace(split_blocks(blocks, [], known=page.meta), source=page.source)


def pdf_metadata(stated: Metadata, read: Metadata) -> Metadata:
    """A PDF's metadata: the title its XMP or info dictionary states (the first page's line then opens the
    subtitle, unless it is a sentence), and for the rest what the text says, the PDF's statements filling the gaps.

    >>> pdf_metadata(Metadata(title="Gnuplot documentation"), Metadata(title="An Interactive Plotting Program")).subtitle
    'An Interactive Plotting Program'
    >>> pdf_metadata(Metadata(title="Annual Report"), Metadata(title="Harbour Board", subtitle="The year 2023")).subtitle
    'Harbour Board: The year 2023'
    """
    meta = stated.merged_with(read)
    if not stated.title or stated.title == read.title:
        return meta
    line = "" if read.title.rstrip().endswith((".", "!", "?")) else read.title
    return replace(meta, title=stated.title, subtitle=": ".join(filter(None, (line, read.subtitle))))


def document_id(title: str, sha256: str) -> str:
    """A readable, stable id: a slug of the title and the start of the content hash.

    >>> document_id("Japan–Russia: The Limits", "ab12cd34ef")
    'japan-russia-the-limits-ab12cd34'
    """
    slug = slugify(title, limit=48)
    return f"{slug}-{sha256[:8]}" if slug else f"doc-{sha256[:12]}"


def sidecar_path(path: Path) -> Path | None:
    """The sidecar metadata file next to a source (``NAME.meta.json`` or ``.yaml``), if any."""
    for stem in (path.stem, path.name):
        for suffix in SIDECAR_SUFFIXES:
            candidate = path.with_name(stem + suffix)
            try:
                if candidate.is_file():
                    return candidate
            except OSError:  # a sidecar's name would be too long for the file system: there is none
                continue
    return None


def read_sidecar(path: Path) -> Metadata:
    """Metadata from the sidecar file, or empty; a malformed sidecar is an error naming it."""
    sidecar = sidecar_path(path)
    if sidecar is None:
        return Metadata()
    try:
        text = sidecar.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(sidecar, f"sidecar metadata cannot be read: {err}") from None
    try:
        data = json.loads(text) if sidecar.suffix == ".json" else load_yaml(text)
    except (ValueError, yaml.YAMLError) as err:
        kind = "JSON" if sidecar.suffix == ".json" else "YAML"
        raise SourceError(sidecar, f"sidecar metadata is not valid {kind} ({str(err).splitlines()[0]})") from None
    if not isinstance(data, dict):
        raise SourceError(sidecar, "sidecar metadata must be an object of fields")
    try:
        meta = metadata_from_mapping(data)
    except FrontMatterError as err:
        raise SourceError(sidecar, f"sidecar metadata: {err}") from None
    return meta  # its date was checked with its other fields (metadata_from_mapping)


def check_date(date: str, where) -> None:
    """Refuse a date that is not YYYY, YYYY-MM or YYYY-MM-DD, or does not exist."""
    if date and not is_date(date):
        raise SourceError(where, f"date {date!r} is not a real date in the form YYYY, YYYY-MM or YYYY-MM-DD")
