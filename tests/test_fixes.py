"""Safe fixes: only the labels that change are rewritten; every other byte stays."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
from conftest import FIXTURES, write
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bunrui.classifier import PostError, parse_post
from bunrui.classifier.check import Checker, Finding, Fix
from bunrui.classifier.check.fixes import fix_files, fixed_text
from bunrui.classifier.corpus.frontmatter import (
    locate_field,
    locate_front_matter,
    render,
    rewrite_field,
)
from bunrui.classifier.errors import FixError
from bunrui.classifier.taxonomy import read_taxonomy

FIX = FIXTURES / "check" / "fix"


@pytest.fixture
def folder(tmp_path):
    """A private copy of the fix fixtures."""
    target = tmp_path / "fix"
    shutil.copytree(FIX, target)
    return target


@pytest.fixture(scope="module")
def checker():
    return Checker(read_taxonomy(FIX / "bunrui.toml"))


def _fix(checker, path, **kwargs):
    report = checker.check_files([str(path)])
    return report, fix_files(report.findings, report.sources, **kwargs)


def test_crlf_file_changes_only_the_two_label_lines(folder, checker):
    path = folder / "crlf-flow.md"
    before = path.read_bytes()
    _, results = _fix(checker, path)
    assert results[0].written and results[0].problem is None
    after = path.read_bytes()
    old_lines, new_lines = before.split(b"\r\n"), after.split(b"\r\n")
    assert len(old_lines) == len(new_lines)
    changed = [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]
    assert changed == [4, 5]  # categories and tags; nothing else moved
    assert new_lines[4] == 'categories: ["料理"]'.encode()
    # Quoting styles kept per item; the duplicate removed; spaces trimmed; comment kept.
    assert new_lines[5] == "tags: [ 和食, '時短レシピ', \"お菓子\" ]  # 表記ゆれあり".encode()
    assert after.count(b"\r\n") == before.count(b"\r\n") and b"\n" not in after.replace(
        b"\r\n", b"")
    body = before.split(b"---\r\n", 2)[2]
    assert after.endswith(body)  # the body, with its own `tags: [時短]` lines, is untouched


def test_block_list_keeps_comments_and_removes_whole_item_lines(folder, checker):
    path = folder / "block-list.md"
    _fix(checker, path)
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        "title: ブロック形式のタグ\n"
        "categories:\n"
        "  - '料理'\n"
        "tags:\n"
        "  - 和食       # 先頭\n"
        "  # 途中のコメント\n"
        "  - Python\n"
        "draft: false\n"
        "---\n"
        "本文の一行目。\n"
        "  - パイソン\n")


def test_toml_front_matter_is_fixed_in_place(folder, checker):
    path = folder / "toml.md"
    _fix(checker, path)
    assert path.read_text(encoding="utf-8") == (
        "+++\n"
        'title = "TOML の前書き"\n'
        "categories = ['料理']\n"
        "tags = [\n"
        '  "時短レシピ",  # 別名\n'
        "  '和食',\n"
        "]\n"
        "\n"
        "[params]\n"
        'tags = ["そのまま"]\n'
        "+++\n"
        "\n"
        "本文です。\n")


def test_space_separated_string_of_tags(folder, checker):
    path = folder / "words.md"
    _fix(checker, path)
    assert "tags: 時短レシピ 和食\n" in path.read_text(encoding="utf-8")


def test_a_fix_is_written_under_the_key_the_post_uses(tmp_path, checker):
    # Zenn's `topics`, a comma-separated string: the duplicate goes, the alias is replaced.
    path = write(tmp_path / "zenn.md",
                 "---\ntitle: x\ncategory: 料理\ntopics: 和食, 時短, 和食\n---\n本文\n")
    report, results = _fix(checker, path)
    assert {f.field for f in report.findings if f.rule.startswith("tag-")} == {"topics"}
    assert all(f.line == 4 for f in report.findings if f.field == "topics")
    assert results[0].written
    assert path.read_text(encoding="utf-8") == (
        "---\ntitle: x\ncategory: 料理\ntopics: 和食, 時短レシピ\n---\n本文\n")


@pytest.mark.parametrize("name, why", [
    ("anchor.md", "shape bunrui does not rewrite"),
    ("json.md", "shape bunrui does not rewrite (JSON front matter)"),  # Hugo's
    ("pelican.md", "shape bunrui does not rewrite (field lines)"),
    ("duplicate-key.md", "repeated"),
])
def test_file_that_cannot_be_fixed_safely_is_left_untouched(folder, checker, name, why):
    path = folder / name
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    report, results = _fix(checker, path)
    assert any(f.fix and f.fix.safe for f in report.findings)  # there was something to fix
    assert results[0].problem and why in results[0].problem
    assert not results[0].written
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_dry_run_prints_a_diff_and_writes_nothing(folder, checker):
    path = folder / "crlf-flow.md"
    before = path.read_bytes()
    _, results = _fix(checker, path, dry_run=True)
    assert path.read_bytes() == before
    diff = results[0].diff()
    name = str(path).lstrip("/")
    assert diff.startswith(f"--- a/{name}\n+++ b/{name}\n")
    assert '-categories: ["レシピ"]\r\n' in diff and '+categories: ["料理"]\r\n' in diff


def test_a_file_changed_after_the_check_is_not_touched(folder, checker):
    path = folder / "words.md"
    report = checker.check_files([str(path)])
    path.write_text(path.read_text(encoding="utf-8") + "追記\n", encoding="utf-8")
    before = path.read_bytes()
    results = fix_files(report.findings, report.sources)
    assert results[0].problem == "the file changed after it was checked"
    assert path.read_bytes() == before


def test_fixing_twice_changes_nothing_more(folder, checker):
    path = folder / "block-list.md"
    _fix(checker, path)
    once = path.read_bytes()
    _, results = _fix(checker, path)
    assert results == [] and path.read_bytes() == once


def test_write_is_atomic_and_keeps_permissions(folder, checker):
    path = folder / "toml.md"
    os.chmod(path, 0o640)
    _fix(checker, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []


def test_byte_order_mark_is_kept(tmp_path, checker):
    path = tmp_path / "bom.md"
    path.write_bytes("\ufeff---\ntags: [時短]\n---\n本文\n".encode())
    _fix(checker, path)
    assert path.read_bytes() == "\ufeff---\ntags: [時短レシピ]\n---\n本文\n".encode()


def test_only_safe_fixes_are_applied(tmp_path, checker):
    path = write(tmp_path / "post.md", "---\ncategories: [グルメ]\ntags: [雑記, 時短]\n---\n")
    report, _ = _fix(checker, path)
    unsafe = [f for f in report.findings if f.fix and not f.fix.safe]
    assert unsafe  # category-unknown has no certain fix, nor the disallowed tag
    expected = "---\ncategories: [グルメ]\ntags: [雑記, 時短レシピ]\n---\n"
    assert path.read_text(encoding="utf-8") == expected


def _finding(index, old, new, field="tags"):
    return Finding("tag-alias", "warning", "x.md", 2, field, "m",
                   Fix("d", field, index, old, new, True))


def test_fixes_that_disagree_with_the_file_are_refused():
    with pytest.raises(FixError, match="not as it was"):
        fixed_text("---\ntags: [a, b]\n---\n", [_finding(1, "zzz", "c")])


def test_a_fix_that_makes_a_duplicate_removes_it():
    text, removed = fixed_text("---\ntags: [DX推進, DX, AI]\n---\n", [_finding(1, "DX", "DX推進")])
    assert text == "---\ntags: [DX推進, AI]\n---\n" and removed == ["DX推進"]


@pytest.mark.parametrize("text, key, values, expected", [
    ("---\ntags: [a, b, c]\n---\n", "tags", {0: None}, "---\ntags: [b, c]\n---\n"),
    ("---\ntags: [a, b, c]\n---\n", "tags", {2: None}, "---\ntags: [a, b]\n---\n"),
    ("---\ntags: [a, b, c]\n---\n", "tags", {1: None, 2: None}, "---\ntags: [a]\n---\n"),
    ("---\ntags: [a, b, ]\n---\n", "tags", {1: None}, "---\ntags: [a, ]\n---\n"),
    ("---\ntags: [a]\n---\n", "tags", {0: "yes"}, '---\ntags: ["yes"]\n---\n'),
    ("---\ntags: [a]\n---\n", "tags", {0: "x: y"}, '---\ntags: ["x: y"]\n---\n'),
    ("---\ntags: ['a']\n---\n", "tags", {0: "it's"}, "---\ntags: ['it''s']\n---\n"),
    ("---\ncategory: 旧名 # note\n---\n", "category", {0: "新名"},
     "---\ncategory: 新名 # note\n---\n"),
    ("---\n\"tags\": [a]\n---\n", "tags", {0: "b"}, '---\n"tags": [b]\n---\n'),
    ('+++\ntags = ["a", \'b\']\n+++\n', "tags", {1: 'q"'}, '+++\ntags = ["a", \'q"\']\n+++\n'),
    ('+++\ntags = ["a"]\n+++\n', "tags", {0: 'q"'}, '+++\ntags = ["q\\""]\n+++\n'),
    # A string of labels split at its commas keeps its separators.
    ("---\ntags: a, b ,c\n---\n", "tags", {1: None}, "---\ntags: a, c\n---\n"),
    ("---\ntags: 'a、b'\n---\n", "tags", {0: "x"}, "---\ntags: 'x、b'\n---\n"),
    ("---\ntags: [a, b]\n...\n本文\n", "tags", {0: None}, "---\ntags: [b]\n...\n本文\n"),
    # `category` holds one label: replaced whole, spaces and all.
    ("---\ncategory: Web Development\n---\n", "category", {0: "Web Design"},
     "---\ncategory: Web Design\n---\n"),
])
def test_rewrite_field_shapes(text, key, values, expected):
    assert rewrite_field(locate_front_matter(text), key, values) == expected


@pytest.mark.parametrize("text, key, values, why", [
    ("---\ntags: [a]\n---\n", "tags", {0: None}, "empty"),
    ("---\ntags: [yes, b]\n---\n", "tags", {1: "c"}, "differently"),  # yes reads as True
    ("---\ntags: |\n  a\n---\n", "tags", {0: "b"}, "shape"),
    ("---\ntags:\n  - a\n    b\n---\n", "tags", {0: "c"}, "shape"),
    ("---\ntags: [a]\n---\n", "categories", {0: "b"}, "missing"),
    ("---\ntags: \"a b\"\n---\n", "tags", {0: "x y"}, "list in one string"),
    ("---\ntags: a b\n---\n", "tags", {0: "x,y"}, "list in one string"),
    ("---\ntags: a, b\n---\n", "tags", {0: "x、y"}, "list in one string"),
])
def test_rewrite_field_refuses_what_it_cannot_do_exactly(text, key, values, why):
    with pytest.raises(FixError, match=why):
        rewrite_field(locate_front_matter(text), key, values)


def test_item_lines_are_located():
    source = locate_front_matter("---\ntitle: x\ntags:\n  - a\n\n  - 'b'  # c\n---\nbody\n")
    found = locate_field(source, "tags")
    assert found.shape == "block"
    assert [(i.value, i.style, i.line) for i in found.items] == [("a", "plain", 4),
                                                                 ("b", "single", 6)]


@pytest.mark.parametrize("value, style, fmt, expected", [
    ("和食", "plain", "yaml", "和食"),
    ("null", "plain", "yaml", '"null"'),
    ("a, b", "plain", "yaml", '"a, b"'),
    ('say "hi"', "double", "yaml", '"say \\"hi\\""'),
    ("it's", "single", "toml", '"it\'s"'),
])
def test_render_keeps_the_style_when_it_can(value, style, fmt, expected):
    assert render(value, style, fmt, flow=True) == expected


def test_write_atomic_follows_symlinks(tmp_path):
    from bunrui.classifier.corpus.files import write_atomic

    target = write(tmp_path / "real.md", "old")
    link = tmp_path / "link.md"
    link.symlink_to(target)
    write_atomic(str(link), b"new")
    assert link.is_symlink() and target.read_bytes() == b"new"


def test_write_atomic_writes_into_what_is_not_a_regular_file(tmp_path):
    import threading

    from bunrui.classifier.corpus.files import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(str(fifo), b"report")
    reader.join(timeout=10)
    assert got == [b"report"] and stat.S_ISFIFO(fifo.stat().st_mode)  # never renamed over


# A label of a comma-separated string: no separator in it, no space at its ends, and
# nothing YAML would read as another type or as syntax in a plain scalar.
_COMMA_LABEL = st.text(st.characters(whitelist_categories=("L", "N")), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None)
@given(labels=st.lists(_COMMA_LABEL, min_size=2, max_size=6),
       separator=st.sampled_from([", ", ",", " , ", "、"]), data=st.data())
def test_a_comma_string_of_labels_reads_back_and_loses_just_the_label_removed(
        labels, separator, data):
    text = f"---\ntags: '{separator.join(labels)}'\n---\n本文\n"
    try:
        read = parse_post(text).tags
    except PostError:
        assume(False)  # not a string YAML keeps as written
    assume(list(read) == labels)
    gone = data.draw(st.integers(0, len(labels) - 1))
    fixed = rewrite_field(locate_front_matter(text), "tags", {gone: None})
    assert list(parse_post(fixed).tags) == labels[:gone] + labels[gone + 1:]
    assert fixed.endswith("---\n本文\n")
