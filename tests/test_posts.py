"""Reading posts: front matter, labels, dates, drafts, site layouts and broken files."""

from __future__ import annotations

import datetime as dt
import json
import os

import pytest
import yaml
from conftest import BROKEN, DRAFTS, HUGO, JEKYLL, TAGSONLY, write
from hypothesis import given, settings
from hypothesis import strategies as st

from bunrui.classifier import PostError, load_corpus, parse_post, read_post
from bunrui.classifier.corpus.posts import iter_post_paths, split_front_matter

POSTS = JEKYLL / "_posts"


def test_yaml_front_matter():
    post = read_post(POSTS / "2025-01-17-python-sqlite-memo.md")
    assert post.front_matter_format == "yaml"
    assert post.title == "PythonとSQLiteで小さなメモアプリ"
    assert post.categories == ("プログラミング",)
    assert post.tags == ("Python", "データベース")
    # "2025-01-17 23:10:00 +0900" is a timestamp; the post's own day is kept.
    assert post.date == dt.date(2025, 1, 17)
    assert not post.draft
    assert post.body.lstrip().startswith("ちょっとしたメモを保存するために")
    assert "layout" in post.front_matter


def test_toml_front_matter_with_singular_category():
    post = read_post(HUGO / "content" / "posts" / "kyoto-onsen-trip.md")
    assert post.front_matter_format == "toml"
    assert post.title == "京都の大原で温泉と紅葉"
    assert post.categories == ("旅行",)
    assert post.tags == ("京都", "温泉")
    assert post.date == dt.date(2025, 3, 8)


def test_toml_draft_flag():
    post = read_post(HUGO / "content" / "posts" / "jest-mock.md")
    assert post.draft
    assert post.categories == ("プログラミング",)


@pytest.mark.parametrize(
    ("front_matter", "categories", "tags"),
    [
        ('categories: ["料理", "旅行"]', ("料理", "旅行"), ()),
        ("categories: 料理 旅行", ("料理", "旅行"), ()),
        ("categories: 料理", ("料理",), ()),
        ("category: 旅行", ("旅行",), ()),
        ("categories: [料理]\ncategory: 旅行", ("料理",), ()),
        ("tags: Python テスト", (), ("Python", "テスト")),
        ("tags: Python", (), ("Python",)),
        ("tags: [Python, 2025]", (), ("Python", "2025")),
        ("tags:\n  - Python\n  - テスト", (), ("Python", "テスト")),
        ("tags: []", (), ()),
        ("tags:", (), ()),
        ("title: 何もなし", (), ()),
    ],
)
def test_yaml_labels(front_matter, categories, tags):
    post = parse_post(f"---\n{front_matter}\n---\n本文\n", "x.md")
    assert post.categories == categories
    assert post.tags == tags


@pytest.mark.parametrize(
    ("front_matter", "categories", "tags"),
    [
        ('categories = ["料理", "旅行"]', ("料理", "旅行"), ()),
        ('category = "旅行"', ("旅行",), ()),
        ('categories = "料理 旅行"', ("料理", "旅行"), ()),
        ('tags = "Python"', (), ("Python",)),
        ('tags = ["Python", "テスト"]', (), ("Python", "テスト")),
    ],
)
def test_toml_labels(front_matter, categories, tags):
    post = parse_post(f"+++\n{front_matter}\n+++\n本文\n", "x.md")
    assert post.categories == categories
    assert post.tags == tags


def test_tags_as_strings_in_the_tags_only_fixture():
    by_name = {p.path.rsplit("/", 1)[-1]: p for p in load_corpus([TAGSONLY]).posts}
    assert by_name["001_a3f9.md"].tags == ("Python",)
    assert by_name["007_a9c3.md"].tags == ("Python", "テスト")
    assert by_name["006_f1b6.md"].tags == ("Python", "データベース")
    assert all(p.categories == () for p in by_name.values())
    assert not any({"categories", "category"} & p.front_matter.keys() for p in by_name.values())


@pytest.mark.parametrize(
    ("front_matter", "field", "line"),
    [
        ("title: x\ntags:\n  - a\n  - {b: c}", "tags", 3),
        ("title: x\ncategories: {a: 1}", "categories", 3),
        ("title: x\ndate: 2025-01-01\ntags: 3", "tags", 4),
    ],
)
def test_label_of_the_wrong_type_names_its_line(front_matter, field, line):
    with pytest.raises(PostError) as info:
        parse_post(f"---\n{front_matter}\n---\n本文\n", "x.md")
    assert info.value.path == "x.md"
    assert info.value.line == line
    assert f"'{field}'" in info.value.message


@pytest.mark.parametrize(
    ("name", "front_matter", "expected"),
    [
        ("2024-03-05-no-date.md", "title: x", dt.date(2024, 3, 5)),
        ("2024-03-05-with-date.md", "date: 2025-01-02", dt.date(2025, 1, 2)),
        ("2024-03-05-string-date.md", 'date: "2025-01-02 10:00"', dt.date(2025, 1, 2)),
        ("2024-03-05-bad-date.md", "date: someday", dt.date(2024, 3, 5)),
        ("2024-03-05-impossible.md", 'date: "2025-02-30"', dt.date(2024, 3, 5)),
        ("undated.md", "title: x", None),
        ("2024-13-40-not-a-date.md", "title: x", None),
        # Docusaurus and Hugo: a page bundle's folder, or year, month and day folders.
        ("blog/2021-08-26-welcome/index.mdx", "title: x", dt.date(2021, 8, 26)),
        ("blog/2021/05/28/title.md", "title: x", dt.date(2021, 5, 28)),
        ("2020-01-01-x/2021/05/28/title.md", "title: x", dt.date(2021, 5, 28)),  # the nearest
        ("blog/2021/05/title.md", "title: x", None),
        ("2019-02-03-backup/site/content/posts/a.md", "title: x", None),  # too far above
    ],
)
def test_date_from_front_matter_or_file_name(tmp_path, name, front_matter, expected):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path = write(path, f"---\n{front_matter}\n---\n本文\n")
    assert read_post(path).date == expected


def test_drafts_are_left_out_unless_asked():
    corpus = load_corpus([JEKYLL])
    names = {p.path.rsplit("/", 1)[-1] for p in corpus.posts}
    assert len(corpus.posts) == 28
    assert "2025-04-05-mug-cake.md" not in names  # draft: true
    assert "2025-05-17-kyoto-kissaten.md" not in names  # published: false
    assert corpus.left_out == {"draft or unpublished": 2}
    assert corpus.skipped == []
    assert "28 posts used" in corpus.summary()
    assert "2 left out (draft or unpublished)" in corpus.summary()

    everything = load_corpus([JEKYLL], include_drafts=True)
    names = {p.path.rsplit("/", 1)[-1] for p in everything.posts}
    assert len(everything.posts) == 30
    assert {"2025-04-05-mug-cake.md", "2025-05-17-kyoto-kissaten.md"} <= names
    assert not everything.left_out


@pytest.mark.parametrize(
    ("front_matter", "draft"),
    [
        ("draft: true", True),
        ('draft: "true"', True),
        ("draft: false", False),
        ("published: false", True),
        ("published: true", False),
        ("title: x", False),
    ],
)
def test_draft_flags(front_matter, draft):
    assert parse_post(f"---\n{front_matter}\n---\n本文\n", "x.md").draft is draft


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (dt.date(2025, 6, 1), None, 5),
        (None, dt.date(2025, 2, 1), 5),
        (dt.date(2025, 3, 1), dt.date(2025, 4, 1), 5),
        # `since` is inclusive, `until` exclusive: 2025-01-17 is in, 2025-01-23 out.
        (dt.date(2025, 1, 17), dt.date(2025, 1, 23), 1),
        (dt.date(2030, 1, 1), None, 0),
    ],
)
def test_since_and_until(since, until, expected):
    corpus = load_corpus([JEKYLL], since=since, until=until)
    assert len(corpus.posts) == expected
    for post in corpus.posts:
        assert since is None or post.date >= since
        assert until is None or post.date < until
    assert corpus.left_out["outside the date range"] == 28 - expected


def test_date_bounds_leave_out_undated_posts(tmp_path):
    write(tmp_path / "undated.md", "---\ntitle: 日付なし\n---\n本文\n")
    write(tmp_path / "dated.md", "---\ntitle: 日付あり\ndate: 2025-05-01\n---\n本文\n")
    assert len(load_corpus([tmp_path]).posts) == 2
    corpus = load_corpus([tmp_path], since=dt.date(2025, 1, 1))
    assert [p.title for p in corpus.posts] == ["日付あり"]
    assert corpus.left_out == {"outside the date range": 1}


def test_jekyll_root_reads_posts_folder_only(tmp_path):
    site = tmp_path / "site"
    write(site / "_config.yml", "title: blog\n")
    write(site / "about.md", "---\ntitle: このブログについて\n---\n自己紹介\n")
    write(site / "_drafts" / "wip.md", "---\ntitle: 書きかけ\n---\n本文\n")
    write(site / "_posts" / "2025-01-01-a.md", "---\ntitle: A\n---\n本文\n")
    write(site / "_posts" / "2024" / "2024-12-31-b.markdown", "---\ntitle: B\n---\n本文\n")
    write(site / "_posts" / "2024-11-30-c.html", "---\ntitle: C\n---\n<p>本文</p>\n")
    write(site / "_posts" / "notes.txt", "not a post")
    write(site / "_posts" / ".hidden.md", "---\ntitle: hidden\n---\n")
    write(site / "_posts" / ".git" / "x.md", "---\ntitle: git\n---\n")
    corpus = load_corpus([site])
    assert sorted(p.title for p in corpus.posts) == ["A", "B", "C"]


def test_jekyll_fixture_root():
    paths = list(iter_post_paths([JEKYLL]))
    assert len(paths) == 30
    assert all("/_posts/" in p for p in paths)
    assert not any(p.endswith("_config.yml") for p in paths)


def test_hugo_root_reads_content_folder_only(tmp_path):
    site = tmp_path / "site"
    write(site / "README.md", "# サイトの説明\n")
    write(site / "themes" / "t" / "layouts" / "x.html", "<html></html>")
    write(site / "content" / "_index.md", "+++\ntitle = \"ホーム\"\n+++\n")
    write(site / "content" / "posts" / "_index.md", "+++\ntitle = \"記事\"\n+++\n")
    write(site / "content" / "posts" / "a.md", "+++\ntitle = \"A\"\n+++\n本文\n")
    corpus = load_corpus([site])
    assert [p.title for p in corpus.posts] == ["A"]
    assert corpus.skipped == []


def test_hugo_fixture_root():
    corpus = load_corpus([HUGO])
    assert len(corpus.posts) == 5
    assert corpus.left_out == {"draft or unpublished": 1}
    assert all(p.front_matter_format == "toml" for p in corpus.posts)
    assert {p.categories for p in corpus.posts} == {("旅行",), ("プログラミング",), ("料理",)}


def test_files_named_on_their_own_are_read():
    corpus = load_corpus([POSTS / "2025-01-05-miso-soup-basics.md", HUGO / "content"])
    assert len(corpus.posts) == 6


# (file, line the problem is reported at, words the message must contain)
BROKEN_FILES = [
    ("bad-yaml.md", 4, "invalid YAML"),  # the unclosed '[' of tags is on line 4
    ("bad-toml.md", 4, "invalid TOML"),  # the unquoted value of categories is on line 4
    ("latin1.md", 2, "not UTF-8"),  # 'café' in the title on line 2
    ("not-a-mapping.md", 2, "mapping"),
    ("unclosed.md", 1, "never closed"),
    ("no-front-matter.md", None, "no front matter"),
    ("empty.md", None, "no front matter"),
]


@pytest.mark.parametrize(("name", "line", "words"), BROKEN_FILES)
def test_broken_file_is_reported_with_path_and_line(name, line, words):
    path = str(BROKEN / name)
    with pytest.raises(PostError) as info:
        read_post(path)
    error = info.value
    assert error.path == path
    assert error.line == line
    assert words in error.message
    assert str(error).startswith(f"{path}:{line}: " if line else f"{path}: ")


def test_broken_files_are_skipped_and_the_rest_is_read():
    corpus = load_corpus([BROKEN, JEKYLL])
    assert len(corpus.posts) == 28
    assert sorted(e.path.rsplit("/", 1)[-1] for e in corpus.skipped) == sorted(
        name for name, _, _ in BROKEN_FILES
    )
    assert "7 skipped" in corpus.summary()


def test_unreadable_path_is_skipped(tmp_path):
    corpus = load_corpus([tmp_path / "missing.md"])
    assert corpus.posts == []
    [error] = corpus.skipped
    assert error.path == str(tmp_path / "missing.md")
    assert "cannot read" in error.message


def test_crlf_file_parses():
    post = read_post(DRAFTS / "crlf.md")
    assert post.title == "JavaScriptの分割代入を覚える"
    assert post.tags == ("JavaScript",)
    assert post.date == dt.date(2025, 7, 1)
    assert post.field_lines == {"title": 2, "date": 3, "tags": 4}
    assert post.body_line == 6
    assert "分割代入を使うと" in post.body


def test_byte_order_mark_is_ignored():
    post = parse_post("\ufeff---\ntitle: BOM付き\n---\n本文\n", "bom.md")
    assert post.title == "BOM付き"


def test_field_lines_point_at_the_fields():
    path = POSTS / "2025-04-05-mug-cake.md"
    post = read_post(path)
    assert post.field_lines == {
        "layout": 2, "title": 3, "date": 4, "categories": 5, "tags": 6, "draft": 7,
    }
    lines = path.read_text(encoding="utf-8").splitlines()
    for name, number in post.field_lines.items():
        assert lines[number - 1].startswith(f"{name}:")
    assert lines[post.body_line - 2] == "---"


def test_field_lines_in_toml():
    path = HUGO / "content" / "posts" / "hokkaido-solo-trip.md"
    post = read_post(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert post.field_lines == {"title": 2, "date": 3, "tags": 4, "category": 5}
    for name, number in post.field_lines.items():
        assert lines[number - 1].startswith(f"{name} =")


def test_field_lines_skip_nested_keys():
    post = parse_post("---\ntitle: x\nauthor:\n  name: y\ntags: [a]\n---\n", "x.md")
    assert post.field_lines == {"title": 2, "author": 3, "tags": 5}


@pytest.mark.parametrize(
    ("text", "fmt", "body", "body_line"),
    [
        ("---\na: 1\n---\n本文\n", "yaml", "本文\n", 4),
        ("+++\na = 1\n+++\n本文\n", "toml", "本文\n", 4),
        ("本文だけ\n", None, "本文だけ\n", 1),
        ("", None, "", 1),
        ("--- \na: 1\n---\n", "yaml", "", 4),
        ("---\na: 1\n...\n本文\n", "yaml", "本文\n", 4),  # YAML's end of document
        ("+++\na = 1\n...\n+++\n本文\n", "toml", "本文\n", 5),  # not TOML's
        ('{\n"a": 1\n}\n本文\n', "json", "本文\n", 4),  # Hugo's JSON
        ('{"a": 1} 本文\n', "json", " 本文\n", 1),
        ("Title: 題\nTags: a\n\n本文\n", "metadata", "本文\n", 4),  # Pelican's
        ("Title: 題\n", "metadata", "", 2),
    ],
)
def test_split_front_matter(text, fmt, body, body_line):
    got_fmt, _, got_body, got_line = split_front_matter(text)
    assert (got_fmt, got_body, got_line) == (fmt, body, body_line)


def test_hugo_json_front_matter():
    text = ('{\n  "title": "JSON の記事",\n  "date": "2024-05-01T10:00:00+09:00",\n'
            '  "author": {"tags": ["x"]},\n  "tags": ["Hugo", "Go"],\n'
            '  "categories": "技術"\n}\n\n本文です。\n')
    post = parse_post(text, "content/posts/a.md")
    assert (post.title, post.date, post.categories, post.tags) == (
        "JSON の記事", dt.date(2024, 5, 1), ("技術",), ("Hugo", "Go"))
    assert post.front_matter_format == "json"
    # No fence line: the object's first key is on line 2; the nested `tags` is passed over.
    assert post.field_lines == {"title": 2, "date": 3, "author": 4, "tags": 5, "categories": 6}
    assert post.body == "\n本文です。\n" and post.body_line == 8
    assert parse_post('{"title": "一行", "tags": "a b"}\n本文', "b.md").tags == ("a", "b")


@pytest.mark.parametrize(("text", "error"), [
    ('{\n  "title": "x",\n}\n本文\n', "c.md:3: invalid JSON front matter: Expecting "
                                     "property name"),
    ('{\n  "title": "x"\n本文\n', "c.md:3: invalid JSON front matter"),  # never closed
    ('{"a": ' + "[" * 100_000 + "\n", "c.md:1: invalid JSON front matter: nested too deep"),
    ('{"tags": [' + ", ".join(["1"] * 10_001) + "]}\n",
     "c.md:1: invalid JSON front matter: holds more than 10,000 values"),
    ("Title: x\n" + "".join(f"k{i}: v\n" for i in range(10_000)) + "\n本文\n",
     "c.md:1: invalid front matter (field lines): more than 10,000 fields"),
])
def test_broken_or_huge_front_matter_is_a_post_error_with_its_line(text, error):
    with pytest.raises(PostError) as caught:
        parse_post(text, "c.md")
    assert str(caught.value).startswith(error)


def test_pelican_metadata_lines():
    text = ("Title: Python: 入門\nDate: 2010-12-03 10:20\nCategory: Python 3\n"
            "Tags: pelican, publishing\nSummary: 長い要約が\n    次の行に続く\n\n本文です。\n")
    post = parse_post(text, "content/a.md")
    assert (post.title, post.date, post.categories, post.tags) == (
        "Python: 入門", dt.date(2010, 12, 3), ("Python 3",), ("pelican", "publishing"))
    assert post.front_matter["Summary"] == "長い要約が 次の行に続く"
    assert post.front_matter_format == "metadata"
    assert post.field_lines == {"Title": 1, "Date": 2, "Category": 3, "Tags": 4, "Summary": 5}
    assert post.body == "本文です。\n" and post.body_line == 8
    assert parse_post("Title: x\nStatus: draft\n\n本文", "b.md").draft


@pytest.mark.parametrize(("name", "text", "fields"), [
    # Pelican's reStructuredText: the title a heading, the fields a field list below it.
    ("a.rst", "Python: 入門\n##########\n\n:date: 2010-10-03 10:20\n:tags: thats, awesome\n"
              ":category: yeah\n:summary: 長い要約が\n   次の行に続く\n\n本文です。\n",
     {"date": 4, "tags": 5, "category": 6, "summary": 7}),
    ("b.rst", "=========\nPython 入門\n=========\n:date: 2010-10-03\n:tags: thats, awesome\n"
              ":category: yeah\n\n本文です。\n", {"date": 4, "tags": 5, "category": 6}),
    # Nikola: `.. key: value` lines, in reStructuredText or in an HTML comment in Markdown.
    ("c.rst", ".. title: Python: 入門\n.. date: 2010-10-03 10:20:00 UTC\n"
              ".. tags: thats, awesome\n.. category: yeah\n.. link:\n\n本文です。\n",
     {"title": 1, "date": 2, "tags": 3, "category": 4, "link": 5}),
    ("d.md", "<!--\n.. title: Python: 入門\n.. date: 2010-10-03 10:20:00 UTC\n\n"
             ".. tags: thats, awesome\n.. category: yeah\n-->\n\n本文です。\n",
     {"title": 2, "date": 3, "tags": 5, "category": 6}),
    # Org mode as Hugo reads it: `#+key:` lines, Hugo's `[]` for a list, Org's time stamps
    # and file tags.
    ("e.org", "#+title: Python: 入門\n#+date: <2010-10-03 Sun>\n#+tags[]: thats awesome\n"
              "#+categories[]: yeah\n\n本文です。\n",
     {"title": 1, "date": 2, "tags": 3, "categories": 4}),
    ("f.org", "#+TITLE: Python: 入門\n#+DATE: [2010-10-03 Sun 10:20]\n"
              "#+FILETAGS: :thats:awesome:\n#+CATEGORY: yeah\n\n本文です。\n",
     {"TITLE": 1, "DATE": 2, "FILETAGS": 3, "CATEGORY": 4}),
])
def test_field_lines_of_pelican_nikola_and_org(name, text, fields):
    post = parse_post(text, name)
    assert post.front_matter_format == "metadata"
    assert post.title == ("Python 入門" if name == "b.rst" else "Python: 入門")
    assert (post.date, post.tags, post.categories) == (
        dt.date(2010, 10, 3), ("thats", "awesome"), ("yeah",))
    assert post.field_lines == fields
    assert "".join(text.splitlines(keepends=True)[post.body_line - 1:]) == post.body
    assert post.body.strip() == "本文です。"


@pytest.mark.parametrize(("name", "text"), [
    ("a.md", "Python 入門\n==========\n\n:date: 2010-10-03\n\n本文\n"),  # a heading in Markdown
    ("a.rst", "Python 入門\n==========\n\n本文が続く\n"),  # a heading with no fields
    ("a.rst", ".. image:: a.png\n\n本文\n"),  # a directive
    ("a.md", "<!--\n.. title: x\n本文\n"),  # a comment never closed
    ("a.md", "<!--\n.. title: x\n本文\n-->\n"),  # a line that is no field in it
])
def test_text_that_only_looks_like_field_lines_is_the_body(name, text):
    post = parse_post(text, name, require_front_matter=False)
    assert post.front_matter_format is None and post.body == text


@pytest.mark.parametrize("text", [
    "Note: 牛乳を買う\n\n本文\n",  # no title among them
    "Title: x\n本文が続く\n",  # a line that is not `Key: value` before the blank line
    "http://example.com\n\n本文\n",
    "    Title: x\n\n本文\n",
])
def test_text_that_is_not_pelican_metadata_is_the_body(text):
    post = parse_post(text, "draft.md", require_front_matter=False)
    assert post.front_matter_format is None and post.body == text


@pytest.mark.parametrize(("fields", "draft"), [
    ("status: draft", True), ("status: Private", True), ("status: publish", False),
    ("status: 下書き", False),
])
def test_a_status_that_keeps_a_post_off_the_site_makes_it_a_draft(fields, draft):
    assert parse_post(f"---\ntitle: x\n{fields}\n---\n本文", "a.md").draft is draft


@pytest.mark.parametrize("first_line", ["{{< youtube abc >}}", "{% raw %}", "{ 波括弧 }"])
def test_a_body_that_opens_with_a_brace_is_not_json(first_line):
    # Hugo's shortcodes and Liquid's tags open many a draft: they are its text.
    post = parse_post(f"{first_line}\n本文\n", "draft.md", require_front_matter=False)
    assert post.front_matter_format is None and post.body.startswith(first_line)


def test_json_front_matter_holds_no_lone_surrogates():
    post = parse_post('{"title": "a\\ud800b", "tags": ["\\udfff"]}\n', "s.md")
    assert (post.title, post.tags) == ("a\ufffdb", ("\ufffd",))


def test_drafts_may_lack_front_matter():
    text = (DRAFTS / "kyoto-draft.md").read_text(encoding="utf-8")
    post = parse_post(text, "kyoto-draft.md", require_front_matter=False)
    assert post.front_matter_format is None
    assert post.title == "週末の京都と温泉"  # its first line, a level-1 heading
    assert post.categories == () and post.tags == ()
    assert "京都" in post.body
    with pytest.raises(PostError, match="no front matter"):
        parse_post(text, "kyoto-draft.md")


@pytest.mark.parametrize(("fields", "expected"), [
    ("created_time: '2022-03-28T06:59:00.000Z'", dt.date(2022, 3, 28)),
    ("createdAt: 2021-05-01", dt.date(2021, 5, 1)),
    ("created: 2020-01-02 10:00:00", dt.date(2020, 1, 2)),
    ("published_at: '2019-12-31T23:00:00+09:00'", dt.date(2019, 12, 31)),
    ("publishDate: 2018-07-07", dt.date(2018, 7, 7)),
    ("pubDate: 'Jul 07 2018'", dt.date(2018, 7, 7)),  # Astro's blog template
    ("pubDate: 'Tue, 3 Sep 2019 10:00:00 GMT'", dt.date(2019, 9, 3)),  # RSS
    ("date: 'September 3rd, 2019'", dt.date(2019, 9, 3)),
    ("date: 2024/5/1 10:00", dt.date(2024, 5, 1)),
    ("date: 2024.05.01", dt.date(2024, 5, 1)),
    ("date: 2024年5月1日", dt.date(2024, 5, 1)),
    ("date: 2024-01-01\ncreated_time: '2022-03-28T06:59:00Z'", dt.date(2024, 1, 1)),
    ("created_time: null\npubDate: 2017-02-03", dt.date(2017, 2, 3)),
    # Not a date: the next field that holds one (Zenn's `published` is a flag).
    ("published: true\npublished_at: 2023-04-05 09:00", dt.date(2023, 4, 5)),
    ("date: someday\ncreated: 2020-01-02", dt.date(2020, 1, 2)),
    ("updated_at: '2023-01-02T03:04:05+09:00'", dt.date(2023, 1, 2)),  # Qiita's only date
    ("Date: 2016-02-03", dt.date(2016, 2, 3)),  # keys in another case
    ("PubDate: 'Jul 08 2022'", dt.date(2022, 7, 8)),
    ("date:\n  created: 2023-12-31\n  updated: 2024-02-01", dt.date(2023, 12, 31)),  # MkDocs
    ("date: {updated: 2024-02-01}\nlastmod: 2024-03-01", dt.date(2024, 3, 1)),
    ("~: 2020-01-01", None),  # a null key is no field
    ("date: '2024-02-30'", None),
    ("date: 'Smarch 3, 2019'", None),
    ("date: 1714521600", None),  # a number is not read as a time stamp
])
def test_the_date_comes_from_the_first_date_field_present(fields, expected):
    post = parse_post(f"---\ntitle: x\n{fields}\n---\n本文\n", "posts/page.md")
    assert post.date == expected


def test_a_page_bundle_takes_its_date_from_the_front_matter():
    post = parse_post("---\ntitle: x\npublishDate: 2023-04-05\n---\n本文\n",
                      "content/posts/my-trip/index.md")
    assert post.date == dt.date(2023, 4, 5)


@pytest.mark.parametrize(("fields", "categories", "tags", "keys"), [
    # Zenn: `topics`, `type`; a list of strings in flow style.
    ('type: "tech"\ntopics: ["react", "nextjs"]\npublished: true', (), ("react", "nextjs"),
     ("categories", "topics")),
    ("tag: [Python]\ncategory: 技術", ("技術",), ("Python",), ("category", "tag")),
    # The first key that holds labels wins; an empty one gives way.
    ("tags: []\ntopics: [go]", (), ("go",), ("categories", "topics")),
    ("tags: [a]\ntopics: [b]", (), ("a",), ("categories", "tags")),
    ("Tags: [a]\nCategories: [B]", ("B",), ("a",), ("Categories", "Tags")),
    # Docusaurus writes a tag inline as a mapping; Qiita's API as {name: …}.
    ("tags: [{label: Docusaurus, permalink: /docusaurus}, hello]", (), ("Docusaurus", "hello"),
     ("categories", "tags")),
    ("tags:\n  - name: Python\n    versions: []", (), ("Python",), ("categories", "tags")),
    # A string of labels: at its commas where it has one, else at its spaces.
    ("tags: Python, Django , Spring Boot", (), ("Python", "Django", "Spring Boot"),
     ("categories", "tags")),
    ("tags: AI、機械学習", (), ("AI", "機械学習"), ("categories", "tags")),
    ("tags: ruby rails", (), ("ruby", "rails"), ("categories", "tags")),
    ("tags: 'a,,b,'", (), ("a", "b"), ("categories", "tags")),
    ("tags: [2024-01-01, 2024, python]", (), ("2024-01-01", "2024", "python"),
     ("categories", "tags")),
    # Hexo: several category paths, each a list.
    ("categories:\n  - [Diary, Games]\n  - [Life]", ("Diary", "Games", "Life"), (),
     ("categories", "tags")),
    # A key that names one label holds one, spaces, commas and all (Jekyll's `category`).
    ("category: Web Development\ntag: Spring Boot", ("Web Development",), ("Spring Boot",),
     ("category", "tag")),
    ("category: '  日記, 雑記 '", ("日記, 雑記",), (), ("category", "tags")),
    ("categories: Web Development", ("Web", "Development"), (), ("categories", "tags")),
])
def test_labels_come_from_the_fields_real_blogs_use(fields, categories, tags, keys):
    post = parse_post(f"---\ntitle: x\n{fields}\n---\n本文\n", "page.md")
    assert (post.categories, post.tags) == (categories, tags)
    assert (post.label_key("categories"), post.label_key("tags")) == keys


def test_a_mapping_tag_without_a_name_is_an_error_naming_the_field():
    with pytest.raises(PostError, match="'topics' holds a dict"):
        parse_post("---\ntitle: x\ntopics: [{slug: go}]\n---\n", "page.md")


@pytest.mark.parametrize(("text", "title"), [
    ("---\ndate: 2024-01-01\n---\n\n# Docusaurus の題 #\n本文", "Docusaurus の題"),
    ("---\ntitle: ''\n---\n# Learning C#\n本文", "Learning C#"),
    ("---\ntitle: 表題\n---\n# 見出し\n本文", "表題"),  # the front matter's wins
    ("---\ndate: 2024-01-01\n---\n## 節\n本文", ""),  # not level 1
    ("---\ndate: 2024-01-01\n---\n本文\n# 後の見出し", ""),  # not the first line
    ("---\ndate: 2024-01-01\n---\n= AsciiDoc の題\n\n本文", "AsciiDoc の題"),
])
def test_a_post_without_a_title_takes_its_first_level_1_heading(text, title):
    post = parse_post(text, "page.md")
    assert post.title == title
    assert post.body.lstrip().startswith(("#", "=", "本文"))  # the heading stays in the body


def test_a_title_in_another_case_is_read():
    assert parse_post("---\nTitle: 見出し\n---\n本文", "page.md").title == "見出し"


@pytest.mark.parametrize(("layout", "posts"), [
    # Where each generator keeps posts; the rest of the site (its README, installed
    # packages' READMEs, a built copy) is not read.
    ({"articles/a.md": "Zenn", "books/b/c.md": "a book", "README.md": "readme"},
     ["articles/a.md"]),
    ({"source/_posts/a.md": "Hexo", "source/about/index.md": "about"}, ["source/_posts/a.md"]),
    ({"src/content/blog/a.mdx": "Astro", "src/pages/index.md": "page"},
     ["src/content/blog/a.mdx"]),
    ({"blog/2021-08-26-welcome/index.mdx": "Docusaurus", "docs/intro.md": "docs"},
     ["blog/2021-08-26-welcome/index.mdx"]),
    # MkDocs Material's blog, beside the site's documentation.
    ({"docs/blog/posts/a.md": "MkDocs", "docs/index.md": "docs", "README.md": "readme"},
     ["docs/blog/posts/a.md"]),
    # Hugo's AsciiDoc pages.
    ({"content/posts/a.adoc": "Hugo", "content/posts/b.asciidoc": "Hugo"},
     ["content/posts/a.adoc", "content/posts/b.asciidoc"]),
    # Pelican's and Nikola's reStructuredText.
    ({"content/a.rst": "Pelican", "content/b.md": "Pelican"}, ["content/a.rst", "content/b.md"]),
    ({"public/a.md": "Qiita", "node_modules/pkg/README.md": "pkg", "_site/x.html": "built",
      "vendor/gem/doc.md": "gem"}, ["public/a.md"]),
    # Quarto and blogdown: Markdown with code chunks.
    ({"posts/a/index.qmd": "Quarto", "posts/b.Rmd": "blogdown", "posts/c.Rmarkdown": "R",
      "posts/a/data.csv": "not a post"},
     ["posts/a/index.qmd", "posts/b.Rmd", "posts/c.Rmarkdown"]),
])
def test_a_site_root_is_read_where_its_generator_keeps_posts(tmp_path, layout, posts):
    for name, title in layout.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {title}\n---\n本文\n", encoding="utf-8")
    found = [os.path.relpath(p, tmp_path) for p in iter_post_paths([tmp_path])]
    assert found == posts


_KEYS = ["title", "Title", "tags", "Tags", "tag", "topics", "categories", "category",
         "Category", "date", "Date", "pubDate", "published", "published_at", "updated_at",
         "draft", "created_time"]
_SCALARS = (st.text(max_size=20) | st.integers() | st.booleans() | st.none()
            | st.dates() | st.floats(allow_nan=False))
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["label", "name", "title", "slug"]), inner, max_size=2), max_leaves=8)


def _a_post_or_a_post_error(text: str, fmt: str) -> None:
    """``text`` reads as a Post of front matter ``fmt`` whose labels are text and whose
    date is a date, or raises a PostError naming the file; never another exception."""
    try:
        post = parse_post(text, "post.md")
    except PostError as exc:
        assert exc.path == "post.md"
        return
    assert post.front_matter_format == fmt
    assert all(isinstance(label, str) for label in (*post.tags, *post.categories))
    assert post.date is None or isinstance(post.date, dt.date)
    assert isinstance(post.title, str) and isinstance(post.draft, bool)


@settings(max_examples=300, deadline=None, database=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=8))
def test_any_front_matter_is_a_post_or_a_post_error(fields):
    # Whatever a blog writes under the keys bunrui reads.
    _a_post_or_a_post_error(
        "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n本文\n", "yaml")


@settings(max_examples=200, deadline=None, database=None)
@given(st.dictionaries(st.sampled_from(_KEYS), _VALUES, max_size=8), st.text(max_size=30))
def test_any_json_front_matter_is_a_post_or_a_post_error(fields, rest):
    # Hugo's JSON front matter, then anything on its closing line and after.
    _a_post_or_a_post_error(
        json.dumps(fields, default=str, ensure_ascii=False, indent=1) + rest, "json")


_METADATA_LINES = st.lists(st.one_of(
    st.tuples(st.sampled_from([*_KEYS, "Status", "Summary", "x-y"]),
              st.text(st.characters(exclude_characters="\r\n\x0b\x0c\x1c\x1d\x1e\x85"
                                                       "\u2028\u2029"), max_size=15)
              ).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.text(max_size=15).map(lambda t: "    " + t)), max_size=8)


@settings(max_examples=200, deadline=None, database=None)
@given(_METADATA_LINES, st.text(max_size=30))
def test_any_metadata_lines_are_a_post_or_a_post_error(lines, rest):
    # Pelican's metadata lines, whatever their values and continuations, then anything.
    _a_post_or_a_post_error("\n".join(["Title: x", *lines]) + "\n" + rest, "metadata")


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=20), st.sampled_from(["=", "#", "-", "~"]), _METADATA_LINES,
       st.text(max_size=30))
def test_any_restructuredtext_fields_are_a_post_or_a_post_error(title, mark, lines, rest):
    # A heading (whatever it holds), field lines in reStructuredText's way, then anything.
    fields = [":" + line if not line.startswith(" ") else line for line in lines]
    text = "\n".join([title, mark * 8, "", ":date: 2020-01-02", *fields]) + "\n\n" + rest
    try:
        post = parse_post(text, "post.rst", require_front_matter=False)
    except PostError as exc:
        assert exc.path == "post.rst"
        return
    assert all(isinstance(label, str) for label in (*post.tags, *post.categories))
    assert post.front_matter_format in ("metadata", None)
