"""Name variants: groups of names searched as one (``Etorofu | Iturup``), read from the data directory."""
from __future__ import annotations

import re
from pathlib import Path

from archive.errors import ArchiveError

VARIANTS_FILE = "variants.txt"
QUOTED = re.compile(r'"[^"]*"')


class VariantsError(ArchiveError):
    """A variants file that cannot be read, naming the file and line."""


def read_variants(path: Path) -> tuple[tuple[str, ...], ...]:
    """The groups in a variants file: one group per line, names separated by ``|``, ``#`` comments."""
    if not path.exists():
        return ()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise VariantsError(f"{path}: cannot be read ({err})") from None
    return tuple(_group(line, path, n) for n, line in enumerate(lines, 1) if _group_text(line))


def _group_text(line: str) -> str:
    """A line without its comment and surrounding space."""
    return line.split("#", 1)[0].strip()


def _group(line: str, path: Path, number: int) -> tuple[str, ...]:
    """The names of one line, at least two, none containing a double quote."""
    names = tuple(dict.fromkeys(" ".join(n.split()) for n in _group_text(line).split("|") if n.strip()))
    if len(names) < 2 or any('"' in n for n in names):
        raise VariantsError(f'{path}, line {number}: a group needs two or more names separated by "|" '
                            'and no double quotes')
    return names


def expand_variants(query: str, groups: tuple[tuple[str, ...], ...]) -> tuple[str, list[str]]:
    """The query with each variant name searched with its group, and the names that were added.

    >>> expand_variants('Iturup "Northern Territories" talks', (("Etorofu", "Iturup"),
    ...                 ("Northern Territories", "Southern Kurils")))
    ('("Iturup" OR "Etorofu") ("Northern Territories" OR "Southern Kurils") talks', ['Etorofu', 'Southern Kurils'])
    >>> expand_variants("title:Iturup -Iturup", (("Etorofu", "Iturup"),))
    ('title:Iturup -Iturup', [])
    """
    by_name = {name.casefold(): group for group in groups for name in group}
    if not by_name:
        return query, []
    names = sorted(by_name, key=len, reverse=True)
    bare = re.compile(r'(?<![\w:"*~-])(' + "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
                      + r')(?![\w:*~])', re.I)
    added: list[str] = []

    def alternatives(found: str) -> str:
        group = by_name[" ".join(found.split()).casefold()]
        found = " ".join(found.split())
        others = [n for n in group if n.casefold() != found.casefold()]
        added.extend(n for n in others if n not in added)
        return "(" + " OR ".join(f'"{n}"' for n in [found, *others]) + ")"

    pieces, last = [], 0
    for quoted in QUOTED.finditer(query):
        pieces.append(bare.sub(lambda m: alternatives(m.group(1)), query[last:quoted.start()]))
        inner = " ".join(quoted.group(0)[1:-1].split())
        fielded = query[:quoted.start()].endswith((":", "-"))
        pieces.append(alternatives(inner) if inner.casefold() in by_name and not fielded else quoted.group(0))
        last = quoted.end()
    pieces.append(bare.sub(lambda m: alternatives(m.group(1)), query[last:]))
    return "".join(pieces), added
