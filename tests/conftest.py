"""Shared fixtures: paths into the hand-written fixture corpus, and a cache kept in tmp."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
JEKYLL = FIXTURES / "jekyll"
HUGO = FIXTURES / "hugo"
TAGSONLY = FIXTURES / "tagsonly"
BROKEN = FIXTURES / "broken"
DRAFTS = FIXTURES / "drafts"

# What each draft is about, as a person would label it from the fixture corpus.
DRAFT_EXPECTATIONS = [
    ("python-draft.md", "プログラミング", {"Python", "テスト"}),
    ("kyoto-draft.md", "旅行", {"京都", "温泉"}),
    ("plain.txt", "料理", {"パスタ", "時短レシピ"}),
]


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> content hash of every file under ``root``."""
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(autouse=True)
def _no_home_cache(tmp_path_factory, monkeypatch):
    """Whatever a test forgets, nothing is cached in the real home folder."""
    cache = tmp_path_factory.mktemp("default-cache")
    monkeypatch.setenv("BUNRUI_CACHE_DIR", str(cache))
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))


def write(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path``, creating folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


class Editor:
    """Stands in for a watcher's stop event: between its rounds it makes the next edit, and
    it stops the watcher after the last."""

    def __init__(self, *edits) -> None:
        self.edits = list(edits)

    def wait(self, _interval: float) -> bool:
        if not self.edits:
            return True
        self.edits.pop(0)()
        return False
