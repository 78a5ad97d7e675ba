"""Front-matter labels located through the parsers, and --fix in every style.

The property test generates front matters with the place of every label recorded as it
is written, so what a fix may change is known without asking the code under test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bunrui.classifier.check import Checker
from bunrui.classifier.check.fixes import fixed_text
from bunrui.classifier.corpus.frontmatter import locate_field, locate_front_matter, why_not_located
from bunrui.classifier.corpus.posts import parse_post
from bunrui.classifier.taxonomy import label_key, parse_taxonomy

CHECKER = Checker(parse_taxonomy("""
[categories]
allowed = ["料理", "旅行", "技術"]
max_per_post = 0
[categories.deprecated]
"レシピ" = "料理"
"tech" = "技術"
[tags]
canonical = ["和食", "京都", "時短レシピ", "Python", "JavaScript", "C#", "null", "it's", "Node.js"]
min_per_post = 0
max_per_post = 0
[tags.aliases]
"時短" = "時短レシピ"
"パイソン" = "Python"
"JS" = "JavaScript"
"ヌル" = "null"
"イッツ" = "it's"
[tags.deprecated]
"旧京都" = "京都"
"""))
# Label as written -> as fixed. Aliases and retired labels, their width variants (ﾊﾟｲｿﾝ,
# ＪＳ), and fixes that need quoting ('null', "it's").
TAGS = {"和食": "和食", "京都": "京都", "Python": "Python", "C#": "C#", "Node.js": "Node.js",
        "it's": "it's", "時短レシピ": "時短レシピ", "時短": "時短レシピ", "パイソン": "Python",
        "ﾊﾟｲｿﾝ": "Python", "ＪＳ": "JavaScript", "ヌル": "null", "イッツ": "it's",
        "旧京都": "京都"}
CATEGORIES = {"料理": "料理", "旅行": "旅行", "技術": "技術", "レシピ": "料理", "tech": "技術"}
# What a space-separated string cannot hold once fixed (bunrui rightly refuses those).
NOT_WORDS = {"it's", "ヌル", "イッツ"}


@dataclass
class Label:
    written: str  # the label as the front matter holds it (maybe padded with spaces)
    fixed: str
    span: tuple[int, int] = (0, 0)  # its token in the text
    line: tuple[int, int] | None = None  # a block item's whole line


@dataclass
class Case:
    """A generated post: its text, and each label field with the places of its labels."""

    text: str = ""
    fields: dict[str, list[Label]] = field(default_factory=dict)
    shapes: dict[str, str] = field(default_factory=dict)

    def write(self, piece: str) -> tuple[int, int]:
        self.text += piece
        return len(self.text) - len(piece), len(self.text)


@st.composite
def labels(draw, pool: dict[str, str], words: bool) -> list[Label]:
    """Labels of one field: distinct spellings, some repeated, some padded with spaces."""
    names = [n for n in pool if not (words and n in NOT_WORDS)]
    # Width variants of one label would be a duplicate that --fix does not touch.
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=5, unique_by=label_key))
    chosen += draw(st.lists(st.sampled_from(chosen), max_size=2))
    chosen = draw(st.permutations(chosen))
    # Tags with surrounding spaces are trimmed; categories are not.
    padded = [not words and pool is TAGS and draw(st.integers(0, 3)) == 0 for _ in chosen]
    return [Label(f" {n} " if pad else n, pool[n]) for n, pad in zip(chosen, padded, strict=True)]


def plain_ok(value: str, flow: bool) -> bool:
    """Whether YAML reads ``value`` written without quotes as ``value``."""
    if value != value.strip() or (flow and re.search(r"[,\[\]{}]", value)):
        return False
    try:
        return yaml.safe_load(f"k: [{value}]" if flow else f"k: {value}") == {
            "k": [value] if flow else value}
    except yaml.YAMLError:
        return False


def token(draw, value: str, fmt: str, *, flow: bool) -> str:
    """``value`` quoted one way or another, or plain where YAML reads that as ``value``."""
    styles = ["single", "double"] if fmt == "yaml" or "'" not in value else ["double"]
    if fmt == "yaml" and plain_ok(value, flow):
        styles += ["plain", "plain"]
    style = draw(st.sampled_from(styles))
    if style == "plain":
        return value
    if style == "single":  # a TOML literal string holds no quote, so nothing is doubled
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)  # also a YAML and TOML double-quoted string


def comment(draw) -> str:
    return draw(st.sampled_from(["", "", "  # 注記", " # tags: [時短]"]))


def write_list(draw, case: Case, items: list[Label], fmt: str, nl: str) -> None:
    """A flow list or TOML array, on one line or one item a line."""
    multiline = draw(st.booleans())
    case.write("[" + (nl + "  " if multiline else draw(st.sampled_from(["", " "]))))
    for n, item in enumerate(items):
        item.span = case.write(token(draw, item.written, fmt, flow=True))
        if n + 1 < len(items):
            case.write("," + (comment(draw) + nl + "  " if multiline else
                              draw(st.sampled_from([" ", "", "  "]))))
    trailing = "," if draw(st.booleans()) else ""
    case.write(trailing + (nl if multiline else draw(st.sampled_from(["", " "]))) + "]")


def write_block(draw, case: Case, items: list[Label], nl: str) -> None:
    """A YAML block list, comment lines between some items."""
    indent = draw(st.sampled_from(["", "  ", "    "]))
    for item in items:
        if draw(st.integers(0, 3)) == 0:
            case.write(f"{indent}# 項目のあいだのコメント{nl}")
        start = case.write(f"{indent}- ")[0]
        item.span = case.write(token(draw, item.written, "yaml", flow=False))
        item.line = (start, case.write(comment(draw) + nl)[1])


def write_words(draw, case: Case, items: list[Label], fmt: str) -> None:
    """Labels in one string, separated by spaces as Jekyll allows."""
    joined = " ".join(item.written for item in items)
    if fmt == "toml":
        quote = draw(st.sampled_from(["'", '"']))
    else:
        quote = draw(st.sampled_from(["'", '"'] + ([""] if plain_ok(joined, False) else [])))
    case.write(quote)
    for n, item in enumerate(items):
        item.span = case.write(item.written)
        if n + 1 < len(items):
            case.write(draw(st.sampled_from([" ", "  "])))
    case.write(quote)


def write_field(draw, case: Case, key: str, items: list[Label], fmt: str, nl: str) -> None:
    """``key`` and its labels in the field's shape, maybe a comment after."""
    shape = case.shapes[key]
    case.write(f"{key} = " if fmt == "toml" else f"{key}:" + ("" if shape == "block" else " "))
    if shape == "block":
        case.write(comment(draw) + nl)
        write_block(draw, case, items, nl)
        return
    if shape == "words":
        write_words(draw, case, items, fmt)
    else:
        write_list(draw, case, items, fmt, nl)
    case.write(comment(draw) + nl)


@st.composite
def front_matters(draw) -> Case:
    fmt = draw(st.sampled_from(["yaml", "toml"]))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    case = Case()
    cat_key = draw(st.sampled_from(["categories", "category"]))
    for key, pool in ((cat_key, CATEGORIES), ("tags", TAGS)):
        shapes = ["flow", "words"] + (["block"] if fmt == "yaml" else [])
        case.shapes[key] = draw(st.sampled_from(shapes))
        words = case.shapes[key] == "words"
        case.fields[key] = draw(labels(pool, words))[: 1 if key == "category" else None]
    eq = " = " if fmt == "toml" else ": "
    extras = [f"title{eq}\"tags: [時短] の話\"", f"date{eq}2025-07-12",
              f"draft{eq}false", "# 手書きのコメント"]
    order = draw(st.permutations([*extras, *case.fields]))
    if draw(st.booleans()):
        case.write("\ufeff")
    fence = "---" if fmt == "yaml" else "+++"
    case.write(fence + nl)
    for entry in order:
        if entry in case.fields:
            write_field(draw, case, entry, case.fields[entry], fmt, nl)
        else:
            case.write(entry + nl)
    # A decoy: the same keys one level down are not the post's labels.
    case.write(f"[params]{nl}tags = ['時短']{nl}" if fmt == "toml" else
               f"params:{nl}  tags: [時短]{nl}")
    case.write(f"{fence}{nl}本文。tags: [時短]{nl}{fence}{nl}- 時短{nl}")
    return case


def intended(items: list[Label], *, tags: bool) -> list[Label | None]:
    """Each label as --fix leaves it, None when removed: a duplicate (of a tag, any; of a
    category, one a fix made) goes."""
    out: list[Label | None] = []
    first: dict[str, bool] = {}  # fixed value -> whether its first holder was changed
    for item in items:
        changed = item.fixed != item.written
        if item.fixed in first and (tags or changed or first[item.fixed]):
            out.append(None)
            continue
        first.setdefault(item.fixed, changed)
        out.append(item)
    return out


def changed_regions(case: Case) -> list[tuple[int, int, bool]]:
    """(start, end, replaced) of each part of the text a fix may change: a replaced label's
    token, or a removed label with its separator (its whole line in a block list)."""
    regions = []
    for key, items in case.fields.items():
        fates = intended(items, tags=key == "tags")
        last_kept = max(i for i, fate in enumerate(fates) if fate is not None)
        for i, (item, fate) in enumerate(zip(items, fates, strict=True)):
            if fate is not None and item.fixed != item.written:
                regions.append((*item.span, True))
            elif fate is None and item.line:
                regions.append((*item.line, False))
            elif fate is None and i < last_kept:
                regions.append((item.span[0], items[i + 1].span[0], False))
            elif fate is None:  # after the last kept label, with the separator before it
                regions.append((items[last_kept].span[1], item.span[1], False))
    return sorted(regions)


def unchanged_outside(case: Case) -> re.Pattern:
    """Matches the fixed text: byte for byte the original outside the changed regions."""
    pattern, position = [], 0
    for start, end, replaced in changed_regions(case):
        start = max(start, position)  # removed regions after the last kept label overlap
        pattern.append(re.escape(case.text[position:start]) + ("(.+?)" if replaced else ""))
        position = max(position, end)
    pattern.append(re.escape(case.text[position:]))
    return re.compile("".join(pattern), re.DOTALL)


def fix(text: str) -> str:
    return fixed_text(text, CHECKER.check_texts([("post.md", text)]).findings)[0]


@settings(max_examples=200, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(front_matters())
def test_fix_changes_only_the_fixed_labels(case):
    fixed = fix(case.text)
    assert unchanged_outside(case).fullmatch(fixed), (case.text, fixed)
    post = parse_post(fixed)
    expected = {key: [item.fixed for item in intended(items, tags=key == "tags") if item]
                for key, items in case.fields.items()}
    category_key = next(key for key in case.fields if key != "tags")
    assert list(post.tags) == expected["tags"]
    assert list(post.categories) == expected[category_key]
    assert fix(fixed) == fixed


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
