"""Every direct dependency has a licence the project's GPL-3.0-or-later allows, and the README says which."""
from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# licences a GPL-3.0-or-later program may depend on (the FSF's list of GPL-compatible licences;
# CC-BY-SA-3.0 only for the style files, which are data)
COMPATIBLE = {"MIT", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0", "MPL-2.0", "ZPL-2.1", "ISC", "PSF-2.0",
              "LGPL-2.1-or-later", "LGPL-3.0-or-later", "GPL-2.0-or-later", "GPL-3.0-or-later", "CC-BY-SA-3.0"}
FORBIDDEN = re.compile(r"\bAGPL|Affero|SSPL|Server Side Public|BUSL|Business Source|proprietary|Commons Clause", re.I)


def direct_dependencies() -> list[str]:
    """The package names of pyproject.toml's dependencies and test extras."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return [re.split(r"[<>=!~\[ ;]", spec, maxsplit=1)[0] for spec in specs]


def readme_licences() -> dict[str, str]:
    """The README's licence table: package name to its SPDX licence expression."""
    section = (REPO / "README.md").read_text(encoding="utf-8").split("## Licence", 1)[1]
    return dict(re.findall(r"^\| `([^`]+)` \| ([^|]+?) \|", section, re.M))


def test_the_project_states_its_licence():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "GPL-3.0-or-later"
    assert "GNU GENERAL PUBLIC LICENSE" in (REPO / "LICENSE").read_text(encoding="utf-8")[:200]


def test_the_readme_names_every_dependency_with_a_compatible_licence():
    table = readme_licences()
    assert sorted(set(direct_dependencies()) - set(table)) == []
    for package, expression in table.items():
        assert set(expression.split(" AND ")) <= COMPATIBLE, f"{package}: {expression}"


@pytest.mark.parametrize("package", direct_dependencies())
def test_no_dependency_states_a_licence_the_gpl_forbids(package):
    metadata = importlib.metadata.metadata(package)
    stated = " ".join([metadata.get("License-Expression") or "", (metadata.get("License") or "")[:300],
                       *(c for c in metadata.get_all("Classifier") or [] if c.startswith("License"))])
    assert not FORBIDDEN.search(stated), f"{package} states {stated!r}"
