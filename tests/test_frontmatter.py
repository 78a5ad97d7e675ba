"""Front-matter labels located through the parsers (PyYAML's composer, tomlkit)."""

from __future__ import annotations

import pytest

from classifier.frontmatter import locate_field, locate_front_matter, why_not_located


def test_an_alias_bomb_is_located_without_expanding_it():
    # Nine lists each naming the one before nine times: 9**9 labels once expanded.
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi",
                                                                   strict=True))
    source = locate_front_matter(f"---\n{bomb}tags: [和食, 'b']\nrelated: *i\n---\n")
    assert [(i.value, i.line) for i in locate_field(source, "tags").items] == [("和食", 11),
                                                                               ("b", 11)]
    bombed = locate_front_matter(f"---\n{bomb}tags: *i\n---\n")
    assert locate_field(bombed, "tags") is None
    assert "an alias" in why_not_located(bombed, "tags")


@pytest.mark.parametrize("value, why", [
    ("&x [a, b]\nother: *x", "an alias, or a value an alias repeats"),  # both would change
    ("&x [a, b]", "an anchor or a tag"),
    ("[&x a, *x]", "an alias, or a value an alias repeats"),
    ("[a, !!str b]", "an anchor or a tag"),
    ("[a, [b]]", "a nested value"),
    ("{a: b}", "a mapping"),
    ("|\n  a", "a multi-line string"),
    ("[a,\n  b\n  c]", "a label spread over lines"),
])
def test_what_is_not_rewritten_says_why(value, why):
    source = locate_front_matter(f"---\ntags: {value}\n---\n")
    assert locate_field(source, "tags") is None
    assert why in why_not_located(source, "tags")


def test_toml_labels_are_placed_by_tomlkit():
    text = ('\ufeff+++\r\ntitle = "tags = [\'x\']"\r\ntags = [ "a\\u00e9" , \'b\' ,# "c"\r\n'
            '  "c", ]  # d\r\n[params]\r\ntags = ["z"]\r\n+++\r\n')
    found = locate_field(locate_front_matter(text), "tags")
    assert [(i.value, text[i.start:i.end], i.style, i.line) for i in found.items] == [
        ("aé", '"a\\u00e9"', "double", 3), ("b", "'b'", "single", 3), ("c", '"c"', "double", 4)]
    marked = locate_front_matter('+++\ntags = ["a"]  # \ue000 "\ue000"\n+++\n')
    assert locate_field(marked, "tags") is None  # the marker tomlkit's strings are placed with


def test_lone_surrogates_are_located_as_parse_post_reads_them():
    source = locate_front_matter("---\ntitle: \ud800\ntags:\n  - a\n  - b\n---\n")
    assert [i.line for i in locate_field(source, "tags").items] == [4, 5]
