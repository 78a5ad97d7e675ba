"""The taxonomy: reading bunrui.toml, falling back to _config.yml and the model card, init."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from conftest import FIXTURES, write

from bunrui.classifier import parse_post
from bunrui.classifier.errors import TaxonomyError
from bunrui.classifier.model.card import ModelCard, TrainingFacts
from bunrui.classifier.taxonomy import (
    duplicate_groups,
    edit_distance,
    generic_labels,
    init_taxonomy,
    label_key,
    nearest_label,
    parse_taxonomy,
    read_taxonomy,
    resolve_taxonomy,
    taxonomy_from_card,
)

SITE = FIXTURES / "check" / "site"
CARD = ModelCard(
    training=TrainingFacts(posts=24, date_range=["2025-01-01", "2025-06-30"],
                           fingerprint="f" * 32, config={}),
    labels={"categories": {"料理": 10, "旅行": 9}, "tags": {"和食": 5, "温泉": 4}},
    rare_tags={"お菓子": 1}, tag_threshold=0.5, max_tags=3, half_life_days={}, validation={})


def test_reads_every_part_of_the_fixture_file():
    t = read_taxonomy(SITE / "bunrui.toml")
    assert t.categories == ("料理", "旅行", "プログラミング")
    assert t.max_categories == 1
    assert t.deprecated_categories == {"レシピ": "料理"}
    assert "時短レシピ" in t.tags and "Python" in t.tags
    assert t.tag_aliases == {"時短": "時短レシピ", "パイソン": "Python"}
    assert t.deprecated_tags == {"メモ": "", "温泉旅": "温泉"}
    assert t.disallowed_tags == ("雑記",)
    assert (t.min_tags, t.max_tags) == (1, 4)
    assert t.severities == {"tags-too-many": "error"}
    assert "bunrui.toml" in t.describe()


@pytest.mark.parametrize("text, message", [
    ("[categoriez]\nallowed = []", "unknown section [categoriez]"),
    ("[tags]\ncanonicals = []", "unknown key 'canonicals'"),
    ("[tags]\ncanonical = \"a\"", "must be a list of strings"),
    ("[tags]\ncanonical = [1, 2]", "'tags.canonical.0' must be a string"),
    ("[tags]\nmin_per_post = -1", "at least 0"),
    ("[tags]\nmin_per_post = 3\nmax_per_post = 2", "below tags.min_per_post"),
    ("[tags.aliases]\na = \"b\"\nb = \"a\"", "cycle"),
    ("[tags.aliases]\na = \"\"", "empty string"),
    ("[categories]\nallowed = [\"料理\"]\n[categories.deprecated]\n\"レシピ\" = \"グルメ\"",
     "not in categories.allowed"),
    ("[rules]\ntag-alias = \"fatal\"", "severity 'fatal'"),
    ("[model]\ncategory_ratio = \"high\"", "must be a number"),
    ("[tags\n", "invalid TOML"),
])
def test_malformed_files_are_reported_with_the_reason(text, message):
    with pytest.raises(TaxonomyError, match=re.escape(message)):
        parse_taxonomy(text, "bunrui.toml")


@pytest.mark.parametrize("text, field", [
    ("[tags.aliases]\nfoo = \"\"", "tags.aliases.foo"),
    ("[categories]\nallowed = [\"a\", 2]", "categories.allowed.1"),
    ("[tags]\nmax_per_post = true", "tags.max_per_post"),
    ("[rules]\ntag-new = \"loud\"", "rules.tag-new"),
])
def test_errors_name_the_path_of_the_value_at_fault(text, field):
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(text, "bunrui.toml")
    assert info.value.field == field


def test_invalid_toml_names_the_line():
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy("[tags]\ncanonical = [\n\"a\" \"b\"]\n", "x.toml")
    assert info.value.line == 3 and info.value.path == "x.toml"


def test_alias_chains_resolve_and_aliases_leave_the_canonical_list():
    t = parse_taxonomy('[tags]\ncanonical = ["a", "b", "c"]\n'
                       '[tags.aliases]\na = "b"\nb = "c"\nz = "new"\n')
    assert t.tag_aliases == {"a": "c", "b": "c", "z": "new"}
    assert t.tags == ("c", "new")


def test_missing_file_is_a_taxonomy_error(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read"):
        read_taxonomy(tmp_path / "nope.toml")


def test_file_found_at_the_site_root_comes_first():
    t = resolve_taxonomy(start=str(SITE / "_posts" / "2025-07-01-clean-miso.md"), card=CARD)
    assert t.categories == ("料理", "旅行", "プログラミング")
    assert t.max_tags == 4  # the file's, not the card's
    assert t.known_tags == ("和食", "温泉", "お菓子")


def test_jekyll_config_gives_the_categories_without_a_file(tmp_path):
    write(tmp_path / "_config.yml", "content_categories:\n  - name: 料理\n  - name: 旅行\n"
                                    "  - {slug: no-name}\n")
    write(tmp_path / "_posts" / "a.md", "---\ntitle: a\n---\n")
    t = resolve_taxonomy(start=str(tmp_path / "_posts"), card=CARD)
    assert t.categories == ("料理", "旅行")
    assert t.max_tags == 3  # from the card
    assert any("_config.yml" in s for s in t.sources)


def test_model_card_is_the_last_resort(tmp_path):
    (tmp_path / ".git").mkdir()  # a repository root stops the upward search here
    t = resolve_taxonomy(start=str(tmp_path), card=CARD)
    assert t.categories == ("料理", "旅行")
    assert t.sources == ("categories from the model card",)
    assert taxonomy_from_card(dataclasses.replace(CARD, labels={})).categories == ()


def test_file_without_categories_takes_them_from_the_config(tmp_path):
    write(tmp_path / "_config.yml", "content_categories:\n  - name: 旅行\n")
    write(tmp_path / "bunrui.toml", "[tags]\nmax_per_post = 2\n")
    t = resolve_taxonomy(start=str(tmp_path), card=CARD)
    assert t.categories == ("旅行",) and t.max_tags == 2


def test_a_declared_no_limit_is_not_taken_from_the_card(tmp_path):
    write(tmp_path / "bunrui.toml", "[tags]\nmax_per_post = 0\n")
    t = resolve_taxonomy(start=str(tmp_path), card=CARD)
    assert t.max_tags is None and "tags.max_per_post" in t.declared


def test_explicit_file_wins_over_the_one_at_the_root(tmp_path):
    other = write(tmp_path / "other.toml", '[categories]\nallowed = ["だけ"]\n')
    t = resolve_taxonomy(str(other), start=str(SITE))
    assert t.categories == ("だけ",)


@pytest.mark.parametrize("a, b", [
    ("ＡＩ規制", "AI規制"),
    ("OpenAI", "openai"),
    ("Open AI", "OpenAI"),
    ("ＤＸ推進", "DX推進"),
])
def test_label_key_folds_width_case_and_spacing(a, b):
    assert label_key(a) == label_key(b)


@pytest.mark.parametrize("a, b, expected", [
    ("AI規制", "AI規制対応", True),
    ("ROI", "ROI分析", True),
    ("DX", "DX推進", True),
    ("ＬＬＭ", "LLM", True),
    ("ファインチューニング", "ファインチュニング", True),  # one edit, long enough
    ("AI倫理", "AI人材", False),  # short labels differing in one place are different
    ("xAI", "Vertex AI", False),  # "xAI" inside a longer word does not count
    ("Google", "NVIDIA", False),
])
def test_probable_duplicates(a, b, expected):
    groups = duplicate_groups({a: 10, b: 3})
    assert bool(groups) is expected
    if expected:
        assert groups[0][0] == a and groups[0][1][0][0] == b


def test_chains_of_containment_are_not_followed():
    groups = dict(duplicate_groups({"画像生成": 50, "画像生成AI": 1, "生成AI": 2}))
    assert [v for v, _ in groups["画像生成"]] == ["画像生成AI"]
    assert "生成AI" not in groups


def test_generic_labels_are_those_inside_many_others():
    counts = {"AI": 5, "AI規制": 9, "AI人材": 8, "AI倫理": 3, "ROI": 2, "ROI分析": 4}
    assert generic_labels(counts) == {"AI": 3}


@pytest.mark.parametrize("a, b, limit, expected", [
    ("kitten", "sitting", 3, 3),
    ("abc", "abc", 1, 0),
    ("abcdef", "a", 2, 3),  # beyond the limit: limit + 1
])
def test_edit_distance(a, b, limit, expected):
    assert edit_distance(a, b, limit) == expected


def test_nearest_label_prefers_variants_then_containment():
    assert nearest_label("ｐｙｔｈｏｎ", ["JavaScript", "Python"]) == "Python"
    assert nearest_label("京都旅", ["京都", "北海道"]) == "京都"
    assert nearest_label("まったく別", ["京都", "北海道"]) is None


def _post(name: str, categories: str, tags: str):
    return parse_post(f"---\ntitle: {name}\ncategories: {categories}\ntags: {tags}\n---\n本文\n",
                      f"{name}.md")


def test_init_writes_counts_and_commented_alias_proposals():
    posts = [
        _post("a", "[料理]", "[AI規制, ROI分析, 和食]"),
        _post("b", "[料理]", "[AI規制, ROI分析, 和食]"),
        _post("c", "[旅行]", "[AI規制対応, ROI, 料理]"),
        _post("d", "[旅行]", '["技術: LLM", AI, AI規制]'),
        _post("e", "[旅行]", "[AI人材, AI倫理]"),
    ]
    text = init_taxonomy(posts, categories=["料理", "旅行", "プログラミング"], source="blog",
                         today=dt.date(2026, 3, 1))
    assert "from 5 posts in blog" in text
    assert '    "プログラミング",  # 0' in text
    assert '    "AI規制",  # 3' in text
    assert '# "AI規制対応" = "AI規制"  # 1 vs 3 posts: one contains the other' in text
    assert '# "ROI" = "ROI分析"' in text
    assert '    # "技術: LLM",  # 1: malformed' in text
    assert '    # "料理",  # 1: the name of a category' in text
    assert '    # "AI",  # 1: generic' in text
    t = parse_taxonomy(text)
    assert t.categories == ("料理", "旅行", "プログラミング") and not t.tag_aliases
    # Uncommenting a proposal is all an editor has to do.
    confirmed = parse_taxonomy(text.replace('# "AI規制対応" = "AI規制"', '"AI規制対応" = "AI規制"'))
    assert confirmed.tag_aliases == {"AI規制対応": "AI規制"}
    assert "AI規制対応" not in confirmed.tags


def test_init_without_declared_categories_lists_the_used_ones():
    text = init_taxonomy([_post("a", "[旅行]", "[温泉]"), _post("b", "[旅行]", "[京都]"),
                          _post("c", "[料理]", "[和食]")])
    t = parse_taxonomy(text)
    assert t.categories == ("旅行", "料理")
    assert set(t.tags) == {"温泉", "京都", "和食"}
