"""Words of a draft's title no tag has, offered as new tags: the words, the rate the blog's
newest titles made them tags at, how the blog writes them, and how they are suggested,
saved and loaded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_named_tags import START, save_tool_model, tampered, tool_posts
from test_persistence import PARAMS_FILE

from bunrui.classifier import Post, Suggester, TrainingConfig, load_model, save_model
from bunrui.classifier.model.named_tags import rate_of
from bunrui.classifier.model.new_tags import NewTags, learn_new_tags, title_words


@pytest.mark.parametrize(("title", "words"), [
    ("Next.jsとC#とC++でGPT-4oを呼ぶ", ["Next.js", "C#", "C++", "GPT-4o"]),
    ("ＡＷＳ Ｌａｍｂｄａ入門", ["AWS", "Lambda"]),  # full width, read as NFKC
    ("How to use Rust with the WASM", ["use", "Rust", "WASM"]),  # function words left out
    ("Go と go と GO", ["Go"]),  # each once, as first written
    ("京都の紅葉 2024", []),  # no Latin word; a number is none
    ("A/B テストと x", []),  # one letter is no word
])
def test_title_words(title, words):
    assert title_words(title) == words


def _posts(rows) -> list[Post]:
    return [Post(f"p{i}.md", title, "", tags=tags, date=START + dt.timedelta(days=i))
            for i, (title, tags) in enumerate(rows)]


def test_the_rate_counts_the_newest_titles_words_no_tag_had():
    # 34 older posts, then the newest six (15% of 40), which are counted.
    posts = _posts([("雑記 Python", ("python",))] * 34 + [
        ("Moodle 入門", ("moodle",)),  # a new word, made a tag (lowercased)
        ("Python 応用", ("python",)),  # a tag already: not counted
        ("moodle 再び", ()),  # a tag since the post before: not counted
        ("Rust と Zig", ("Rust",)),  # two new words, one made a tag as written
        ("Vite 入門", ()),  # a new word, not made a tag
        ("Deno 入門", ("deno",)),
    ])
    new, found = learn_new_tags(posts)
    assert (found["words"], found["carried"]) == (5, 3)
    assert new.rate == found["rate"] == rate_of(3, 5)
    assert new.lowercase and found["lowercase"]  # two lowercased, one as written
    assert new.known == frozenset({"python", "moodle", "rust", "deno"})
    assert new.named("Moodle と Bun と RUST と Zig を比べる") == ["bun", "zig"]


def test_a_blog_that_never_made_a_title_word_a_tag_is_offered_none():
    posts = _posts([("Python 入門", ("プログラミング",))] * 40)
    new, found = learn_new_tags(posts)
    assert new is None and found["used"] is False and found["words"] == 6


def test_new_tags_are_offered_at_their_rate_and_chosen_above_the_threshold():
    new = NewTags(frozenset({"python"}), 0.6, lowercase=False)
    suggester = Suggester().fit(tool_posts())
    suggester.new_tags_ = new
    suggestion = suggester.suggest_text("# Python と Ruff を試す\n\n画面を作る部品を試した。",
                                        threshold=0.5, explain=2)
    assert ("Ruff", 0.6) in [(t.label, t.score) for t in suggestion.tag_candidates]
    assert "Ruff" in [t.label for t in suggestion.tags]
    assert [t.label for t in suggestion.explanations["tags"]["Ruff"]] == ["Ruff"]
    assert "Python" not in [t.label for t in suggestion.tag_candidates]  # a tag already
    # Below the threshold, a candidate only.
    suggestion = suggester.suggest_text("# Ruff を試す\n\n本文", threshold=0.7)
    assert "Ruff" in [t.label for t in suggestion.tag_candidates]
    assert "Ruff" not in [t.label for t in suggestion.tags]


def test_a_blog_that_tags_its_new_tools_is_offered_the_next(tmp_path):
    # Each tool is first tried in a post whose title names it and that carries it.
    suggester = Suggester().fit(tool_posts())
    found = suggester.report_.validation["new_tags"]
    assert found["used"] and found["lowercase"] and found["carried"] > 0
    text = "# Rspack の次に Farm を試す\n\n画面を作る部品を試した。"
    candidates = {t.label: t.score for t in suggester.suggest_text(text).tag_candidates}
    assert candidates["farm"] == suggester.new_tags_.rate == found["rate"]
    assert "Farm" not in candidates and "rspack" in candidates  # known: the model's
    # Saved and loaded, the same suggestions.
    folder = tmp_path / "model"
    save_model(suggester, str(folder), suggester.report_.card(TrainingConfig()))
    loaded = load_model(str(folder))[0]
    assert loaded.suggest_text(text).as_dict() == suggester.suggest_text(text).as_dict()
    params = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))
    assert "valibot" in params["suggester"]["new_tags"]["known"]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return save_tool_model(tmp_path_factory)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda t: t.update(rate=-0.1), "suggester.new_tags.rate is not within [0, 1]"),
    (lambda t: t.update(known="python"), "suggester.new_tags.known is not a list of strings"),
    (lambda t: t.update(lowercase="yes"), "suggester.new_tags.lowercase"),
])
def test_a_tampered_new_tags_part_is_a_model_error(saved, tmp_path, edit, expected):
    assert expected in tampered(saved, tmp_path, "new_tags", edit)
