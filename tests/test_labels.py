"""One definition of a malformed tag: `bunrui check` and `bunrui taxonomy init` agree on it."""

from __future__ import annotations

import json

import pytest

from bunrui.classifier import parse_post
from bunrui.classifier.check import Checker
from bunrui.classifier.corpus.labels import is_malformed_tag, tag_defects
from bunrui.classifier.taxonomy import Taxonomy, init_taxonomy, toml_string

TRICKY = [
    # A list written as one tag, with any comma.
    ("Python，Django", True),
    ("Python,Django", True),
    ("Python, Django", True),
    ("AI、機械学習", True),
    # A field name left in the tag, or alone.
    ("技術: LLM", True),
    ("技術：LLM", True),
    ("技術 : LLM", True),
    ("カテゴリ：", True),
    ("カテゴリ:", True),
    # Spaces around it, or nothing at all.
    (" LLM", True),
    ("LLM ", True),
    ("\u3000LLM", True),
    ("", True),
    ("   ", True),
    ("a\tb", True),
    ("a\nb", True),
    # Tags with punctuation that belongs to them.
    ("C++", False),
    ("C#", False),
    ("Node.js", False),
    ("AI/ML", False),
    ("Q&A", False),
    ("Vertex AI", False),
    ("技術:LLM", False),  # an ASCII colon counts only before a space (C++:20, 10:30)
    ("10:30", False),
    ("https://example.com", False),
    ("ＡＩ規制", False),
]


def _post(tag: str):
    return parse_post(f"---\ntitle: t\ntags: [{json.dumps(tag, ensure_ascii=False)}]\n---\n本文\n",
                      "p.md")


@pytest.mark.parametrize("tag, malformed", TRICKY)
def test_check_and_taxonomy_init_agree_on_malformed_tags(tag, malformed):
    post = _post(tag)
    assert post.tags == (tag,)
    flagged_by_check = any(f.rule == "tag-malformed"
                           for f in Checker(Taxonomy()).check_post(post))
    init = init_taxonomy([post])
    commented_by_init = f"    # {toml_string(tag)},  # 1: malformed" in init
    assert flagged_by_check is commented_by_init is is_malformed_tag(tag) is malformed
    if not malformed:
        assert f"    {toml_string(tag)},  # 1" in init  # a canonical tag


@pytest.mark.parametrize("tag, kinds, value", [
    (" 技術: LLM ", ["spaces", "key-value"], "LLM"),
    ("企業：日本企業", ["key-value"], "日本企業"),
    ("技術: LLM, Python", ["key-value"], "LLM, Python"),
    ("a, b:", ["list"], None),
    ("  ", ["empty"], None),
    ("LLM", [], None),
])
def test_tag_defects(tag, kinds, value):
    defects = tag_defects(tag)
    assert [d.kind for d in defects] == kinds
    assert next((d.value for d in defects if d.value), None) == value
