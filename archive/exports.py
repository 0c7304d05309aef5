"""Citation data files from CSL-JSON items: BibTeX, RIS and CSL-JSON."""
from __future__ import annotations

import json
import re

from archive.citation import MONTHS, inverted_name

BIBTEX_TYPES = {"report": "techreport", "chapter": "incollection", "article-journal": "article",
                "article-magazine": "article", "article-newspaper": "article", "book": "book", "thesis": "phdthesis",
                "paper-conference": "inproceedings"}
# the RIS types Zotero's RIS translator reads (its exportTypeMap)
RIS_TYPES = {"report": "RPRT", "chapter": "CHAP", "article-journal": "JOUR", "article-magazine": "MGZN",
             "article-newspaper": "NEWS", "book": "BOOK", "thesis": "THES", "paper-conference": "CONF",
             "post-weblog": "BLOG", "webpage": "ELEC", "document": "GEN"}
# Zotero reads SN as the ISSN of these, as a report's number, and as the ISBN of the rest
SERIAL_TYPES = {"article-journal", "article-magazine", "article-newspaper"}
BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
EXTENSIONS = {"bib": "bibtex", "ris": "ris", "json": "csl-json"}
DATA_FORMATS = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "ris"),
    "csl-json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "json"),
}


def bibtex_escape(text: str) -> str:
    """Text with BibTeX's special characters escaped; other UTF-8 kept.

    >>> bibtex_escape("R&D at 5% ~ {x}_1 #2 $3 ^ \\\\")
    'R\\\\&D at 5\\\\% \\\\textasciitilde{} \\\\{x\\\\}\\\\_1 \\\\#2 \\\\$3 \\\\textasciicircum{} \\\\textbackslash{}'
    """
    return re.sub(r"[\\&%$#_{}~^]", lambda m: BIBTEX_SPECIAL[m.group(0)], text)


def bibtex_name(name: dict) -> str:
    """A BibTeX name: "Family, Given", or a corporate name in braces so it is never split."""
    if "literal" in name:
        return "{" + bibtex_escape(name["literal"]) + "}"
    return bibtex_escape(inverted_name(name))


def to_bibtex(items: list[dict]) -> str:
    """One BibTeX entry per item: text escaped, URLs raw, month as a macro."""
    return "\n".join(_bibtex_entry(item) for item in items)


def _bibtex_entry(item: dict) -> str:
    """One entry, fields in a fixed order."""
    kind = BIBTEX_TYPES.get(item["type"], "misc")
    fields: list[tuple[str, str]] = []
    if item.get("author"):
        fields.append(("author", "{" + " and ".join(bibtex_name(n) for n in item["author"]) + "}"))
    publisher = {"techreport": "institution", "phdthesis": "school"}.get(kind, "publisher")
    text_fields = [("title", "title"), ("booktitle" if kind in ("incollection", "inproceedings") else "journal",
                                        "container-title"),
                   (publisher, "publisher"), ("series", "collection-title"), ("volume", "volume"),
                   ("number", "issue"), ("number", "number"), ("number", "collection-number"),
                   ("isbn", "ISBN"), ("issn", "ISSN"), ("language", "language"), ("chapter", "section"),
                   ("note", "note")]
    fields += [(name, "{" + bibtex_escape(item[key]) + "}") for name, key in text_fields if item.get(key)]
    if item.get("page"):
        fields.append(("pages", "{" + bibtex_escape(item["page"].replace("-", "--")) + "}"))
    if item.get("DOI"):
        fields.append(("doi", "{" + item["DOI"] + "}"))
    if item.get("translator"):
        fields.append(("translator", "{" + " and ".join(bibtex_name(n) for n in item["translator"]) + "}"))
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        fields.append(("year", str(parts[0])))
    if len(parts) > 1:
        fields.append(("month", MONTHS[parts[1] - 1]))
    if item.get("URL"):
        fields.append(("url", "{" + item["URL"] + "}"))
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if accessed:
        fields.append(("urldate", "{" + "-".join(f"{p:02d}" for p in accessed) + "}"))
    body = ",\n".join(f"  {name} = {value}" for name, value in fields)
    return f"@{kind}{{{item['id']},\n{body}\n}}\n"


def to_ris(items: list[dict]) -> str:
    """RIS records: TY first, ER last, one ``TAG  - value`` per line, CRLF line ends."""
    return "".join(_ris_record(item) for item in items)


def _ris_record(item: dict) -> str:
    """One record."""
    lines = [("TY", RIS_TYPES.get(item["type"], "GEN")), ("ID", item["id"])]
    for name in item.get("author", []):
        lines.append(("AU", name.get("literal") or inverted_name(name)))
    report = item["type"] == "report"
    first, _, last = item.get("page", "").partition("-")
    lines += [("TI", item.get("title", "")), ("T2", item.get("collection-title" if report else "container-title", "")),
              ("T3", "" if report else item.get("collection-title", "")), ("PB", item.get("publisher", "")),
              ("VL", item.get("volume", "")),
              ("IS", item.get("issue") or ("" if report else item.get("number") or item.get("collection-number", ""))),
              ("SN", _ris_serial_number(item)), ("LA", item.get("language", "")), ("SE", item.get("section", "")),
              ("N1", item.get("note", "")), ("N1", f"ISBN {item['ISBN']}" if report and item.get("ISBN") else ""),
              ("SP", first), ("EP", last), ("DO", item.get("DOI", "")), ("AB", item.get("abstract", "")),
              ("UR", item.get("URL", ""))]
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        lines += [("PY", str(parts[0])), ("DA", "/".join(f"{p:02d}" for p in parts) + ("/" if len(parts) < 3 else ""))]
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if accessed:
        lines.append(("Y2", "/".join(f"{p:02d}" for p in accessed)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines if value or tag == "ER")


def _ris_serial_number(item: dict) -> str:
    """What SN holds for Zotero: a periodical's ISSN, a report's number, else the ISBN."""
    if item["type"] in SERIAL_TYPES:
        return item.get("ISSN", "")
    if item["type"] == "report":
        return item.get("number") or item.get("collection-number", "")
    return item.get("ISBN", "")


def to_csl_json(items: list[dict]) -> str:
    """The items as a CSL-JSON array."""
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def render_data(items: list[dict], data_format: str) -> str:
    """The items in one data format: bibtex, ris or csl-json."""
    return {"bibtex": to_bibtex, "ris": to_ris, "csl-json": to_csl_json}[data_format](items)
