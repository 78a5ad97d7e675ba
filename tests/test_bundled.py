"""The bundled model serves the blog it was trained on, not any blog: the language server's
side (`bunrui check`'s is in test_check_cli)."""

from __future__ import annotations

import pytest
from conftest import JEKYLL, write

from bunrui.classifier import Suggester, TrainingConfig, load_corpus, save_model
from bunrui.classifier.taxonomy import site_root
from bunrui.service.lsp import blog as blog_module


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    suggester = Suggester().fit(load_corpus([JEKYLL]).posts)
    save_model(suggester, str(folder), suggester.report_.card(TrainingConfig()))
    return folder


def _site(root, categories: str, tags: str):
    write(root / "_config.yml", "title: a blog\n")
    for i in range(3):
        write(root / "_posts" / f"2025-01-0{i + 1}-p.md",
              f"---\ntitle: p{i}\ncategories: {categories}\ntags: {tags}\n---\n\n本文。\n")
    return root / "_posts" / "2025-01-01-p.md"


def test_the_language_server_serves_the_bundled_model_to_its_own_blog_only(
        model, tmp_path, monkeypatch):
    monkeypatch.setattr(blog_module, "default_model", lambda: str(model))
    said: list[str] = []
    blog = blog_module.Blog(said.append)
    other = _site(tmp_path / "other", "[日記]", "[Rust, WebAssembly]")
    own = _site(tmp_path / "own", "[料理]", "[パスタ]")
    assert blog.model(str(other)) is None
    assert any("bundled model" in line and str(tmp_path / "other") in line for line in said)
    assert blog.model(str(own)) is not None
    assert blog.model() is not None  # no document: the model itself, as before
    # A model the editor names is used whatever the blog.
    blog.settings = blog_module.Settings(model=str(model))
    assert blog.model(str(other)) is not None


def test_a_site_root_is_the_nearest_folder_that_looks_like_one(tmp_path):
    post = write(tmp_path / "site" / "_posts" / "2025-01-01-p.md", "---\ntitle: p\n---\n")
    assert site_root(post) == str(tmp_path / "site" / "_posts")  # nothing marks a root
    write(tmp_path / "site" / "_config.yml", "title: a blog\n")
    assert site_root(post) == str(tmp_path / "site")
    assert site_root(tmp_path / "site") == str(tmp_path / "site")
