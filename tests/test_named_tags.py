"""Seldom-used tags a draft's title names: the rate the blog's newest titles carried them
at, the one-off habit that lets them in, and how they are suggested, saved and loaded."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from test_persistence import PARAMS_FILE, assert_model_error_names, edit_params

from bunrui.classifier import Post, Suggester, TrainingConfig, load_model, save_model
from bunrui.classifier.model.named_tags import NamedTags, named_rate, rate_of

START = dt.date(2024, 1, 1)
TOOLS = ["Valibot", "Drizzle", "Hono", "Qwik", "Remix", "Astro", "Vite", "Biome", "Tauri",
         "Wails", "Deno", "Bun", "Zod", "Prisma", "Turbo", "Rspack", "Oxc", "Nuxt", "Svelte",
         "Solid", "Lit", "Preact", "Gatsby", "Eleventy", "Hugo", "Jekyll", "Hexo", "Zola"]
ONE_OFFS = ["Moodle", "Mastodon", "Misskey", "Nostr", "Bluesky", "Matrix"]


def tool_posts() -> list[Post]:
    """A blog of one-off tags: each tool is tried in one post and tried again in the next
    (its title names it, and it carries it again); six tools once only, first of all."""
    posts = [Post(path=f"o{i}.md", title=f"{name}を試す", body="サーバーの処理を試した。",
                  tags=("試用", name.lower()), date=START + dt.timedelta(days=i))
             for i, name in enumerate(ONE_OFFS)]
    for i, name in enumerate(TOOLS):
        for again, title in enumerate((f"{name}を試す", f"{name}をもう一度試す")):
            posts.append(Post(path=f"t{i}-{again}.md", title=title,
                              body="画面を作る部品を試した。描画が速い。",
                              tags=("試用", name.lower()),
                              date=START + dt.timedelta(days=10 + 2 * i + again)))
    return posts


def doc(title: str, body: str = "") -> tuple[list[str], list[str]]:
    return title.split(), body.split()


def test_the_rate_counts_the_newest_titles_that_name_a_tag_used_too_seldom():
    # 34 older posts, then the newest six (15% of 40), which are counted.
    older = [("雑記", ("日記",))] * 34
    posts = [Post(f"p{i}.md", t, "", tags=tags, date=START + dt.timedelta(days=i))
             for i, (t, tags) in enumerate(older + [
                 ("moodle 入門", ("moodle",)),  # its first use: nothing named yet
                 ("python 入門", ("python",)),
                 ("moodle 再び", ("moodle",)),  # names moodle, used once: carried
                 ("python 応用", ()),  # names python, used once: not carried
                 ("moodle 三度", ()),  # moodle used twice now: learned, not seldom
                 ("zope 入門", ("zope",)),  # never used before: not named
             ])]
    docs = [doc(p.title) for p in posts]
    words = {"moodle": ("moodle",), "python": ("python",), "zope": ("zope",), "日記": ("日記",)}
    assert named_rate(posts, docs, words, min_count=2) == (1, 2)
    assert rate_of(1, 2) == 0.25  # two titles more, neither carrying: a handful stays low
    # Without the older posts, only the last of the six is among the newest 15%.
    assert named_rate(posts[34:], docs[34:], words, min_count=2) == (0, 0)


def test_a_tag_is_named_by_a_run_of_the_title_tokens_only():
    named = NamedTags(("moodle", "amazon ec2"), (("moodle",), ("amazon", "ec2")), 0.5)
    assert named.named(doc("moodle を amazon ec2 に")) == ["moodle", "amazon ec2"]
    assert named.named(doc("ec2 amazon", "moodle moodle")) == []  # not in order; the body


def test_a_blog_of_one_off_tags_is_suggested_those_its_draft_names(tmp_path):
    suggester = Suggester().fit(tool_posts())
    report = suggester.report_
    assert report.conventions["one_off_tags"] is True
    found = report.validation["named_tags"]
    assert found["used"] and found["carried"] == found["titles"] > 0
    assert suggester.named_tags_.labels == tuple(sorted(n.lower() for n in ONE_OFFS))
    text = "# Moodleを試す\n\nサーバーの処理を試した。"
    suggestion = suggester.suggest_text(text, explain=3)
    scores = {t.label: t.score for t in suggestion.tags}
    assert scores["moodle"] == found["rate"] == rate_of(found["carried"], found["titles"])
    assert "moodle" in [t.label for t in suggestion.tag_candidates]
    assert [t.label for t in suggestion.explanations["tags"]["moodle"]] == ["moodle"]
    assert "mastodon" not in scores  # not named
    # Saved and loaded, the same suggestions.
    folder = tmp_path / "model"
    save_model(suggester, str(folder), report.card(TrainingConfig()))
    loaded = load_model(str(folder))[0]
    assert loaded.suggest_text(text).as_dict() == suggester.suggest_text(text).as_dict()
    params = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))
    assert params["suggester"]["named_tags"]["words"][0] == ["bluesky"]


def test_a_blog_without_the_one_off_habit_is_not():
    # The same blog, its six one-off posts gone: every tag is used twice.
    posts = tool_posts()[len(ONE_OFFS):]
    suggester = Suggester().fit(posts)
    assert suggester.report_.conventions["one_off_tags"] is False
    assert suggester.report_.validation["named_tags"]["used"] is False
    assert suggester.named_tags_ is None


def save_tool_model(tmp_path_factory):
    """The folder of a model of ``tool_posts``."""
    suggester = Suggester().fit(tool_posts())
    folder = tmp_path_factory.mktemp("models") / "tools"
    save_model(suggester, str(folder), suggester.report_.card(TrainingConfig()))
    return folder


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    return save_tool_model(tmp_path_factory)


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda t: t.update(rate=1.5), "suggester.named_tags.rate is not within [0, 1]"),
    (lambda t: t.update(rate="0.5"), "suggester.named_tags.rate is not a number"),
    (lambda t: t["words"].pop(), "suggester.named_tags.words is not a list of"),
    (lambda t: t.update(labels=[1]), "suggester.named_tags.labels is not a list of strings"),
])
def test_a_tampered_named_tags_part_is_a_model_error(saved, tmp_path, edit, expected):
    assert expected in tampered(saved, tmp_path, "named_tags", edit)


def tampered(saved, tmp_path, part: str, edit) -> str:
    """The message loading a copy of the model ``saved`` gives once ``edit`` has changed
    the ``part`` of its suggester's settings."""
    folder = tmp_path / "model"
    folder.mkdir()
    for path in saved.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    edit_params(folder, lambda p: edit(p["suggester"][part]))
    return assert_model_error_names(folder, PARAMS_FILE).message
