"""The import graph of bunrui (classifier/ and service/): no cycles, and no CLI in the HTTP service.

The direction between packages is checked by import-linter's contracts (`lint-imports`,
`[tool.importlinter]` in pyproject.toml); a cycle can form anywhere, so it is looked for here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from conftest import DRAFTS, JEKYLL

from bunrui.classifier import Suggester, TrainingConfig, load_corpus, save_model

ROOT = Path(__file__).resolve().parents[1]


def source_view(folder: Path) -> Path:
    """A folder whose ``bunrui/`` links to this tree's classifier/, service/ and models/."""
    (folder / "bunrui").mkdir()
    for name in ("classifier", "service", "models"):
        (folder / "bunrui" / name).symlink_to(ROOT / name)
    return folder


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
def graph(tmp_path_factory) -> grimp.ImportGraph:
    """The graph of bunrui as its source tree reads (classifier/, service/, models/ seen as
    bunrui.classifier, …: an editable install's mapping is not a folder grimp can walk),
    built in a process of its own and handed back as its edges."""
    view = source_view(tmp_path_factory.mktemp("view"))
    code = ("import json, grimp; g = grimp.build_graph('bunrui', cache_dir=None); "
            "print(json.dumps([[m, sorted(g.find_modules_directly_imported_by(m))] "
            "for m in sorted(g.modules)]))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(view)})
    graph = grimp.ImportGraph()
    for importer, imported in json.loads(done.stdout):
        graph.add_module(importer)
        for module in imported:
            graph.add_import(importer=importer, imported=module)
    return graph


def test_no_import_cycles(graph):
    assert graph.modules >= {"bunrui.classifier", "bunrui.service.main", "bunrui.service.cli"}
    assert cycles(graph) == []


def test_a_cycle_is_found():
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph)[0] == ["p.a", "p.b", "p.c", "p.a"]
    assert all(cycle[0] == cycle[-1] for cycle in cycles(graph))


def test_a_service_worker_never_imports_the_command_line():
    # What uvicorn imports in each worker (`bunrui serve` names it by an import string).
    code = ("import sys, bunrui.service.main as m; m.worker_app(); "
            "print(sorted(m for m in sys.modules if m.startswith('bunrui.service.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_serving_a_saved_model_never_imports_scikit_learn(tmp_path):
    # Importing scikit-learn (and the SciPy it loads) was most of the start of `bunrui
    # check`, `suggest` and `lsp`: a loaded model scores with NumPy alone (model.linear).
    posts = load_corpus([JEKYLL]).posts
    suggester = Suggester(TrainingConfig()).fit(posts)
    save_model(suggester, str(tmp_path), suggester.report_.card(suggester.config))
    code = (
        "import sys\n"
        "import bunrui.service.cli, bunrui.service.lsp.server, bunrui.service.main\n"
        "from bunrui.classifier import load_model\n"
        f"model, card = load_model({str(tmp_path)!r})\n"
        f"print(model.suggest_text(open({str(DRAFTS / 'kyoto-draft.md')!r}).read()).tags)\n"
        "print([m for m in ('sklearn', 'scipy.stats') if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    tags, imported = done.stdout.strip().splitlines()
    assert "京都" in tags
    assert imported == "[]"
