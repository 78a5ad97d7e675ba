"""Suggestions put in a taxonomy's terms: nothing suggested that `check` would flag."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bunrui.classifier.conform import conform
from bunrui.classifier.model.suggest import Scored, Suggestion
from bunrui.classifier.taxonomy import Taxonomy

TAXONOMY = Taxonomy(
    categories=("料理", "旅行"),
    deprecated_categories={"レシピ": "料理"},
    tags=("パスタ", "時短レシピ", "京都", "advent{year}"),
    tag_aliases={"スパゲッティ": "パスタ"},
    deprecated_tags={"時短": "時短レシピ", "おすすめ": ""},
    disallowed_tags=("まとめ",),
)


def scored(*pairs) -> list[Scored]:
    return [Scored(label, score) for label, score in pairs]


def suggestion(tags, categories=(("料理", 0.5), ("レシピ", 0.3), ("旅行", 0.15), ("雑記", 0.05)),
               explanations=None) -> Suggestion:
    cats = scored(*categories)
    return Suggestion(category=cats[0], categories=cats, tags=scored(*tags),
                      tag_candidates=scored(*tags, ("京都", 0.1)),
                      explanations=explanations or {})


def labels(items: list[Scored]) -> list[str]:
    return [s.label for s in items]


def test_aliases_and_retired_tags_become_canonical_and_the_rest_is_left_out():
    out = conform(suggestion([("スパゲッティ", 0.9), ("時短", 0.8), ("おすすめ", 0.7),
                              ("まとめ", 0.6), ("ワイン", 0.5), ("ＡＤＶＥＮＴ2025", 0.45),
                              ("advent2025", 0.4)]), TAXONOMY)
    assert out.tags == scored(("パスタ", 0.9), ("時短レシピ", 0.8), ("advent2025", 0.4))
    assert labels(out.tag_candidates) == ["パスタ", "時短レシピ", "advent2025", "京都"]


def test_a_tag_and_its_alias_are_suggested_once_with_the_better_score():
    out = conform(suggestion([("スパゲッティ", 0.6), ("パスタ", 0.9)]), TAXONOMY)
    assert out.tags == scored(("パスタ", 0.9))


def test_spellings_of_one_tag_are_suggested_once():
    out = conform(suggestion([("ｏｐｅｎａｉ", 0.5), ("OpenAI", 0.7), ("Open AI", 0.2)]),
                  Taxonomy())
    assert out.tags == scored(("OpenAI", 0.7))


def test_a_retired_categorys_probability_goes_to_its_replacement():
    out = conform(suggestion([]), TAXONOMY)
    assert [(s.label, round(s.score, 3)) for s in out.categories] == [
        ("料理", round(0.8 / 0.95, 3)), ("旅行", round(0.15 / 0.95, 3))]  # 雑記 is undeclared
    assert out.category == out.categories[0]
    assert sum(s.score for s in out.categories) == pytest.approx(1.0)


def test_the_best_category_can_change_and_its_reasons_go_with_it():
    why = {"category": {"レシピ": scored(("パスタ", 0.4))},
           "tags": {"スパゲッティ": scored(("麺", 0.3)), "まとめ": scored(("一覧", 0.2))}}
    out = conform(suggestion([("スパゲッティ", 0.9), ("まとめ", 0.6)],
                             categories=(("レシピ", 0.4), ("旅行", 0.35), ("料理", 0.25)),
                             explanations=why), TAXONOMY)
    assert out.category.label == "料理"
    assert out.explanations == {"category": {"料理": scored(("パスタ", 0.4))},
                                "tags": {"パスタ": scored(("麺", 0.3))}}
    moved = conform(suggestion([], categories=(("旅行", 0.4), ("料理", 0.35), ("レシピ", 0.25)),
                               explanations={"category": {"旅行": []}, "tags": {}}), TAXONOMY)
    assert moved.category.label == "料理"
    assert moved.explanations["category"] == {}  # the reasons were for 旅行


def test_without_a_taxonomy_nothing_changes():
    original = suggestion([("スパゲッティ", 0.9), ("まとめ", 0.6)])
    out = conform(original, Taxonomy())
    assert out.tags == original.tags
    assert out.tag_candidates == original.tag_candidates
    assert labels(out.categories) == labels(original.categories)


def test_no_declared_category_left_means_no_category():
    out = conform(suggestion([], categories=(("雑記", 1.0),)), TAXONOMY)
    assert out.category is None and out.categories == []
    assert out.as_dict()["category"] is None


def test_a_tag_named_like_a_category_is_not_suggested_unless_that_rule_is_off():
    open_list = replace(TAXONOMY, tags=())  # no canonical list: only the category rule
    tags = [("料理", 0.9), ("ﾚｼﾋﾟ", 0.8), ("パスタ", 0.7)]  # a category, a retired one
    assert labels(conform(suggestion(tags), open_list).tags) == ["パスタ"]
    relaxed = replace(open_list, severities={"tag-is-category": "off"})
    assert labels(conform(suggestion(tags), relaxed).tags) == ["料理", "ﾚｼﾋﾟ", "パスタ"]


def test_malformed_tags_the_model_learned_are_not_suggested_unless_allowed():
    learned = suggestion([("技術: LLM", 0.9), ("Python，Django", 0.8), ("LLM", 0.7)])
    assert labels(conform(learned, Taxonomy()).tags) == ["LLM"]
    allowed = Taxonomy(severities={"tag-malformed": "off"})
    assert labels(conform(learned, allowed).tags) == ["技術: LLM", "Python，Django", "LLM"]
