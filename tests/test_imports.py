"""The import graph of classifier/ and service/: no cycles, and no CLI in the HTTP service.

The direction between packages is checked by import-linter's contracts (`lint-imports`,
`[tool.importlinter]` in pyproject.toml); a cycle can form anywhere, so it is looked for here.
"""

from __future__ import annotations

import subprocess
import sys

import grimp
import pytest


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """A cycle through each import that closes one: the importer, then the chain back to it."""
    found = []
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back:
                found.append([importer, *back])
    return found


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("classifier", "service", cache_dir=None)


def test_no_import_cycles(graph):
    assert graph.modules >= {"classifier", "service.main", "service.cli"}
    assert cycles(graph) == []


def test_a_cycle_is_found():
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph)[0] == ["p.a", "p.b", "p.c", "p.a"]
    assert all(cycle[0] == cycle[-1] for cycle in cycles(graph))


def test_a_service_worker_never_imports_the_command_line():
    # What uvicorn imports in each worker (`bunrui serve` names it by an import string).
    code = ("import sys, service.main; service.main.worker_app(); "
            "print(sorted(m for m in sys.modules if m.startswith('service.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
