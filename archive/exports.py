"""Citation data files from CSL-JSON items: BibTeX, RIS and CSL-JSON."""
from __future__ import annotations

import json
import re

from archive.citation import MONTHS

BIBTEX_TYPES = {"report": "techreport", "chapter": "incollection", "article-journal": "article"}
RIS_TYPES = {"report": "RPRT", "chapter": "CHAP", "article-journal": "JOUR", "webpage": "ELEC", "document": "GEN"}
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
    given = name.get("given")
    return bibtex_escape(f"{name['family']}, {given}" if given else name["family"])


def to_bibtex(items: list[dict]) -> str:
    """One BibTeX entry per item: text escaped, URLs raw, month as a macro."""
    return "\n".join(_bibtex_entry(item) for item in items)


def _bibtex_entry(item: dict) -> str:
    """One entry, fields in a fixed order."""
    kind = BIBTEX_TYPES.get(item["type"], "misc")
    fields: list[tuple[str, str]] = []
    if item.get("author"):
        fields.append(("author", "{" + " and ".join(bibtex_name(n) for n in item["author"]) + "}"))
    text_fields = [("title", "title"), ("booktitle" if kind == "incollection" else "journal", "container-title"),
                   ("institution" if kind == "techreport" else "publisher", "publisher"),
                   ("series", "collection-title"), ("number", "number"), ("number", "collection-number"),
                   ("isbn", "ISBN"), ("language", "language"), ("chapter", "section"), ("note", "note"),
                   ("pages", "page")]
    fields += [(name, "{" + bibtex_escape(item[key]) + "}") for name, key in text_fields if item.get(key)]
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
        lines.append(("AU", name.get("literal") or ", ".join(filter(None, (name.get("family"), name.get("given"))))))
    lines += [("TI", item.get("title", "")), ("T2", item.get("container-title", "")),
              ("T3", item.get("collection-title", "")), ("PB", item.get("publisher", "")),
              ("IS" if item["type"] != "report" else "VL", item.get("number") or item.get("collection-number", "")),
              ("SN", item.get("ISBN", "")), ("LA", item.get("language", "")), ("SE", item.get("section", "")),
              ("N1", item.get("note", "")), ("SP", item.get("page", "")), ("AB", item.get("abstract", "")),
              ("UR", item.get("URL", ""))]
    parts = item.get("issued", {}).get("date-parts", [[]])[0]
    if parts:
        lines += [("PY", str(parts[0])), ("DA", "/".join(f"{p:02d}" for p in parts) + ("/" if len(parts) < 3 else ""))]
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if accessed:
        lines.append(("Y2", "/".join(f"{p:02d}" for p in accessed)))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines if value or tag == "ER")


def to_csl_json(items: list[dict]) -> str:
    """The items as a CSL-JSON array."""
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def render_data(items: list[dict], data_format: str) -> str:
    """The items in one data format: bibtex, ris or csl-json."""
    return {"bibtex": to_bibtex, "ris": to_ris, "csl-json": to_csl_json}[data_format](items)
