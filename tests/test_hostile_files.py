"""Hostile and careless post files: every command reports each by name and goes on."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import JEKYLL, write

from bunrui.classifier import PostError, read_post
from bunrui.classifier.corpus.posts import MAX_FILE_BYTES, MAX_VALUES, parse_post
from bunrui.service.cli import main

GOOD = "---\ntitle: 京都の紅葉\ndate: 2025-03-01\ntags: [京都]\n---\n"
# An alias bomb: each list names the one before nine times; its title would be billions
# of strings long once the aliases are expanded.
BOMB = ("---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"b{i}: &b{i} [{', '.join([f'*{p}'] * 9)}]\n"
                  for i, p in enumerate(["a", *(f"b{i}" for i in range(8))]))
        + "title: *b8\n---\n本文\n")

# (file name, its text, words the report must hold): YAML and TOML that parse but whose
# values cannot be built, and values past the bounds.
BAD_FILES = [
    ("2025-03-02-feb30.md", "---\ntitle: x\ndate: 2025-02-30\n---\n本文\n", "2025-02-30"),
    ("2025-03-03-month13.md", "---\ntitle: x\ndate: 2025-13-45\n---\n本文\n", "2025-13-45"),
    ("2025-03-04-bad-int.md", "---\ntitle: !!int abc\n---\n本文\n", "'abc'"),
    ("2025-03-05-bad-stamp.md", "---\ntitle: x\ndate: !!timestamp x\n---\n本文\n", "'x'"),
    ("2025-03-06-toml-date.md", "+++\ntitle = 'x'\ndate = 2025-02-30\n+++\n本文\n",
     "date or datetime"),
    ("2025-03-07-bomb.md", BOMB, "alias bomb"),
    ("2025-03-08-self.md", "---\ntitle: &a [*a]\n---\n本文\n", "alias bomb"),
    ("2025-03-09-deep.md", "---\ntitle: " + "[" * 5000 + "]" * 5000 + "\n---\n本文\n",
     "nesting depth"),
    ("2025-03-10-toml-deep.md", "+++\ntitle = " + "[" * 5000 + "]" * 5000 + "\n+++\n",
     "nested too deep"),
]


@pytest.mark.parametrize(("name", "text", "words"), BAD_FILES)
def test_bad_values_are_front_matter_errors_with_their_place(name, text, words):
    with pytest.raises(PostError) as caught:
        parse_post(text, name)
    assert caught.value.path == name and caught.value.line
    assert words in caught.value.message


def test_an_alias_bomb_names_its_first_field_past_the_bound():
    # b3 holds 9 ** 5 = 59,049 strings, b2 6,561.
    with pytest.raises(PostError, match=f"'b3' holds more than {MAX_VALUES:,} values"):
        parse_post(BOMB, "bomb.md")


def test_shared_values_within_the_bound_are_read():
    post = parse_post("---\nx: &x [a, b]\ntags: *x\ncategories: *x\n---\n", "ok.md")
    assert post.tags == post.categories == ("a", "b")


@pytest.fixture
def blog(tmp_path):
    """The Jekyll fixture's posts, with every kind of bad file among them."""
    posts = tmp_path / "blog" / "_posts"
    shutil.copytree(JEKYLL / "_posts", posts)
    for name, text, _ in BAD_FILES:
        write(posts / name, text)
    write(posts / "2025-03-11-huge-title.md", "---\ntitle: " + "a" * 1_000_000 + "\n---\n本文\n")
    os.mkfifo(posts / "2025-03-12-fifo.md")
    (posts / "2025-03-13-zero.md").symlink_to("/dev/zero")
    (posts / "2025-03-14-loop.md").symlink_to(posts / "2025-03-14-loop.md")
    with open(posts / "2025-03-15-too-big.md", "wb") as handle:
        handle.write(GOOD.encode())
        handle.truncate(MAX_FILE_BYTES + 1)
    return tmp_path / "blog"


# (file name, words of its report)
UNREADABLE = [
    ("2025-03-12-fifo.md", "not a regular file (a FIFO"),
    ("2025-03-13-zero.md", "not a regular file (a device)"),
    ("2025-03-14-loop.md", "symbolic links"),
    ("2025-03-15-too-big.md", f"larger than {MAX_FILE_BYTES // 2**20} MB"),
]


def _reported(text: str, blog: Path) -> None:
    for name, *_ in BAD_FILES + UNREADABLE:
        assert name in text, name
    for _, words in UNREADABLE:
        assert words in text
    assert "Traceback" not in text


def test_train_skips_each_bad_file_by_name(capsys, blog, tmp_path):
    code = main(["train", str(blog), "--out", str(tmp_path / "m"), "--no-cache", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    _reported(err, blog)
    card = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert card["training"]["skipped"] == len(BAD_FILES) + len(UNREADABLE)
    assert card["training"]["posts"] == 29  # the fixture's 28 (2 are drafts), the huge title


def test_check_reports_each_bad_file_and_the_others(capsys, blog):
    code = main(["check", str(blog), "--no-model", "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 1, err
    _reported(out, blog)
    findings = json.loads(out)
    invalid = {Path(f["path"]).name for f in findings if f["rule"] == "front-matter-invalid"}
    assert invalid == {name for name, *_ in BAD_FILES + UNREADABLE}


def test_suggest_reports_each_bad_draft_and_goes_on(capsys, blog, tmp_path):
    assert main(["train", str(JEKYLL), "--out", str(tmp_path / "m"), "--no-cache"]) == 0
    capsys.readouterr()
    code = main(["suggest", "--model", str(tmp_path / "m"), "--json", str(blog / "_posts")])
    out, err = capsys.readouterr()
    assert code == 1
    _reported(err, blog)
    assert len(out.splitlines()) == 31


def test_evaluate_and_taxonomy_init_go_on(capsys, blog, tmp_path):
    assert main(["evaluate", str(blog), "--test-share", "0.3", "--no-cache"]) == 0
    _reported(capsys.readouterr().err, blog)
    assert main(["taxonomy", "init", str(blog), "--out", str(tmp_path / "bunrui.toml")]) == 0
    _reported(capsys.readouterr().err, blog)


def test_read_post_of_a_fifo_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "p.md")
    with pytest.raises(PostError, match="FIFO"):
        read_post(tmp_path / "p.md")


def test_a_huge_heading_line_is_read_in_one_pass():
    # A body whose first line is megabytes of ` #`: the closing hashes (the last run) are
    # found in one scan of the line; a lazy pattern over it would take hours.
    title = parse_post("---\ndate: 2024-01-01\n---\n# x" + " #" * 2_000_000 + "\n本文").title
    assert title == "x" + " #" * 1_999_999


@pytest.mark.parametrize("value", [" " * 3_000_000, "a" * 3_000_000, "Jan " * 750_000])
def test_a_huge_date_string_is_read_in_one_pass(value):
    # The date patterns are anchored, with no nested repetition: a few megabytes of what
    # almost matches is one scan, not a backtracking blow-up.
    assert parse_post(f"---\ndate: '{value}'\n---\n本文", "post.md").date is None
