"""EPUB and Word files: ZIP packages turned into one HTML page, with the metadata their package states.

The page then takes the HTML path like any other source, so notes, sections and metadata rules are
the same. An EPUB's spine files are joined in reading order; each file's ids are prefixed with its
place in the spine, so a note link to ``notes.xhtml#n1`` becomes ``#f7-n1`` inside the one page.
A Word file is turned into HTML by mammoth, which keeps footnotes and endnotes (python-docx drops them).
"""
from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from archive.errors import SourceError
from archive.model import Metadata
from indexer.dates import date_or_year
from indexer.htmlmeta import doi_of
from indexer.metadata import clean_author, producer_title

OPF = "{http://www.idpf.org/2007/opf}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
XML = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)
XHTML = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
# a book of a few thousand pages unpacks to tens of MB; a ZIP bomb to gigabytes
MAX_PACKAGE_ENTRIES, MAX_UNPACKED_MB = 20_000, 200


def read_package(path: Path, data: bytes, kind: str) -> tuple[str, Metadata]:
    """One HTML page and the package's metadata for an ``epub`` or ``docx`` file, or a SourceError."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        too_large = package_too_large(archive.infolist())
        if too_large:
            raise SourceError(path, f"the {kind.upper()} package {too_large}")
        return read_epub(archive) if kind == "epub" else read_docx(archive, data)
    except zipfile.BadZipFile:
        raise SourceError(path, f"damaged {kind.upper()} file: not a readable ZIP package") from None
    except KeyError as err:
        raise SourceError(path, f"damaged {kind.upper()} file: {err.args[0]}") from None
    except RecursionError:  # a RuntimeError too, but not an encrypted member
        raise SourceError(path, f"the {kind.upper()} file is nested too deeply to read") from None
    except (RuntimeError, NotImplementedError) as err:  # zipfile's words for encrypted members
        raise SourceError(path, f"the {kind.upper()} file is encrypted and cannot be read ({err})") from None


def package_too_large(entries: list[zipfile.ZipInfo]) -> str:
    """Why a ZIP package is not unpacked ('' when it may be): too many entries, or too much once unpacked.

    >>> package_too_large([zipfile.ZipInfo("a")] * 3), package_too_large([zipfile.ZipInfo("a")] * 20_001)
    ('', 'holds 20001 files, over the 20000 a package may hold')
    """
    if len(entries) > MAX_PACKAGE_ENTRIES:
        return f"holds {len(entries)} files, over the {MAX_PACKAGE_ENTRIES} a package may hold"
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > MAX_UNPACKED_MB * 1048576:
        return f"unpacks to {unpacked / 1048576:.0f} MB, over the {MAX_UNPACKED_MB} MB a package may unpack to"
    return ""


def read_epub(archive: zipfile.ZipFile) -> tuple[str, Metadata]:
    """The spine's files in reading order as one page, and the OPF's title, creators, date and more."""
    if "META-INF/encryption.xml" in archive.namelist() and b"EncryptedData" in archive.read("META-INF/encryption.xml"):
        raise RuntimeError("its content is protected by DRM")
    rootfile = etree.fromstring(archive.read("META-INF/container.xml"), XML).find(f".//{CONTAINER}rootfile")
    if rootfile is None:
        raise KeyError("no package file named in META-INF/container.xml")
    opf_path = rootfile.get("full-path")
    opf = etree.fromstring(archive.read(opf_path), XML)
    base = posixpath.dirname(opf_path)
    items = {item.get("id"): posixpath.normpath(posixpath.join(base, item.get("href") or ""))
             for item in opf.iter(f"{OPF}item")}
    # each file once: a spine listing one chapter 3,000 times made a page of gigabytes
    spine = list(dict.fromkeys(items[ref.get("idref")] for ref in opf.iter(f"{OPF}itemref") if ref.get("idref") in items))
    places = {name: f"f{number}" for number, name in enumerate(spine)}
    nav = next((items[i.get("id")] for i in opf.iter(f"{OPF}item") if "nav" in (i.get("properties") or "").split()), "")
    labels = nav_labels(archive, nav) if nav else {}
    parts = [_spine_file(archive, name, places, labels.get(name, "")) for name in spine]
    return f"<html><body>{''.join(parts)}</body></html>", _opf_metadata(opf)


def nav_labels(archive: zipfile.ZipFile, nav: str) -> dict[str, str]:
    """The label the book's navigation gives each file it links to as a whole (no fragment), by file name."""
    root = etree.fromstring(archive.read(nav), XHTML)
    labels: dict[str, str] = {}
    for link in root.iter("a") if root is not None else ():
        target, _, fragment = (link.get("href") or "").partition("#")
        if target and not fragment:
            name = posixpath.normpath(posixpath.join(posixpath.dirname(nav), target))
            labels.setdefault(name, " ".join("".join(link.itertext()).split()))
    return labels


def _spine_file(archive: zipfile.ZipFile, name: str, places: dict[str, str], label: str = "") -> str:
    """One spine file's body as a <div>, its ids and in-book links rewritten to the joined page.

    A file with no heading of its own takes the label the book's navigation gives it.
    """
    root = etree.fromstring(archive.read(name) or b"<html/>", XHTML)
    body = root.find("body") if root is not None else None
    if body is None:
        return ""
    prefix = places[name]
    for tag in body.iter():
        if tag.get("id"):
            tag.set("id", f"{prefix}-{tag.get('id')}")
        href = tag.get("href") if tag.tag == "a" else None
        if href and not re.match(r"[a-z][a-z0-9+.-]*:", href, re.I):
            target, _, fragment = href.partition("#")
            place = places.get(posixpath.normpath(posixpath.join(posixpath.dirname(name), target))) if target else prefix
            if place:
                tag.set("href", f"#{place}-{fragment}" if fragment else f"#{place}")
    untitled = label and next(body.iter("h1", "h2", "h3", "h4", "h5", "h6"), None) is None
    inner = (f"<h2>{html.escape(label)}</h2>" if untitled else "") + html.escape(body.text or "", quote=False) + "".join(etree.tostring(child, method="html", encoding="unicode") for child in body)
    return f'<div id="{prefix}">{inner}</div>'


def _opf_metadata(opf) -> Metadata:
    """Title, creators, date, publisher, language, ISBN and DOI from an OPF package document."""
    def first(name: str) -> str:
        found = opf.find(f".//{DC}{name}")
        return " ".join("".join(found.itertext()).split()) if found is not None else ""

    creators = [clean_author("".join(c.itertext())) for c in opf.iter(f"{DC}creator")]
    identifiers = ["".join(i.itertext()) for i in opf.iter(f"{DC}identifier")]
    isbn = next((re.sub(r"[^0-9Xx]", "", i) for i in identifiers if re.search(r"isbn|^97[89]", i, re.I)), "")
    return Metadata(title=first("title"), authors=tuple(filter(None, creators)), date=date_or_year(first("date")),
                    publisher=first("publisher"), language=first("language")[:2].lower(), isbn=isbn,
                    doi=doi_of(" ".join(identifiers)))


def read_docx(archive: zipfile.ZipFile, data: bytes) -> tuple[str, Metadata]:
    """A Word file as HTML (mammoth: headings, lists, tables, footnotes and endnotes) and its core properties."""
    import mammoth  # here: only Word files need it

    archive.getinfo("word/document.xml")  # a KeyError names a ZIP that is not a Word file
    html = mammoth.convert_to_html(io.BytesIO(data)).value
    return f"<html><body>{html}</body></html>", _core_properties(archive)


def _core_properties(archive: zipfile.ZipFile) -> Metadata:
    """Title, author, date, language and a DOI (dc:identifier) from docProps/core.xml; a producer's
    stand-in title is no title."""
    if "docProps/core.xml" not in archive.namelist():
        return Metadata()
    core = etree.fromstring(archive.read("docProps/core.xml"), XML)

    def value(name: str) -> str:
        found = next((t for t in core.iter() if isinstance(t.tag, str) and t.tag.endswith("}" + name)), None)
        return " ".join("".join(found.itertext()).split()) if found is not None else ""

    title = value("title")
    return Metadata(title="" if producer_title(title) else title,
                    authors=tuple(filter(None, [clean_author(value("creator"))])),
                    date=date_or_year(value("created")), language=value("language")[:2].lower(),
                    doi=doi_of(value("identifier")))
