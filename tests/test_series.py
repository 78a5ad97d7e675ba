"""Yearly series tags: found from the posts' dates, learned as one label, given the year."""

from __future__ import annotations

import datetime as dt

import pytest

from bunrui.classifier import Post, Suggester, TrainingConfig
from bunrui.classifier.check import Checker
from bunrui.classifier.model.evaluation import evaluate_split
from bunrui.classifier.model.series import find_series, label_of, render, to_series
from bunrui.classifier.taxonomy import Taxonomy


def post(name: str, date: dt.date | None, *tags: str, title: str = "題名",
         body: str = "本文です。") -> Post:
    return Post(path=name, title=title, body=body, date=date, tags=tags)


def test_a_tag_whose_year_is_its_posts_year_in_two_years_is_a_series():
    posts = [post("a", dt.date(2023, 12, 1), "advent2023", "Python"),
             post("b", dt.date(2024, 12, 3), "advent2024"),
             post("c", dt.date(2024, 8, 1), "summer2024")]
    assert find_series(posts) == {"advent{year}"}  # summer: one year only, not yet a series


@pytest.mark.parametrize("tags_and_dates", [
    # A product with a year in its name, written about in other years.
    [("Office2019", dt.date(2020, 5, 1)), ("Office2016", dt.date(2021, 5, 1))],
    # Undated posts say nothing of the year.
    [("advent2023", None), ("advent2024", None)],
    # Two years in one tag: which one would the date fill in?
    [("fy2023-2024", dt.date(2023, 4, 1)), ("fy2024-2025", dt.date(2024, 4, 1))],
])
def test_tags_that_are_not_a_series(tags_and_dates):
    posts = [post(str(i), date, tag) for i, (tag, date) in enumerate(tags_and_dates)]
    assert find_series(posts) == frozenset()


def test_one_back_dated_post_in_many_does_not_break_a_series():
    posts = [post(f"p{y}{i}", dt.date(y, 12, 1 + i), f"advent{y}")
             for y in (2022, 2023) for i in range(5)]
    posts.append(post("late", dt.date(2024, 1, 5), "advent2023"))
    assert find_series(posts) == {"advent{year}"}
    posts += [post(f"late{i}", dt.date(2024, 1, 5), "advent2023") for i in range(3)]
    assert find_series(posts) == frozenset()


def test_labels_map_to_their_series_and_back():
    series = {"advent{year}"}
    assert to_series(("advent2023", "advent2024", "Python"), series) == ("advent{year}", "Python")
    assert label_of("advent2031", series) == "advent{year}"
    assert label_of("summer2024", series) == "summer2024"
    assert render("advent{year}", dt.date(2025, 12, 2)) == "advent2025"
    assert render("advent{year}", None) == f"advent{dt.date.today().year}"
    assert render("Python", dt.date(2025, 1, 1)) == "Python"


ADVENT = "アドベントカレンダーの企画に参加しました。12月の毎日、誰かが記事を書きます。"
PYTHON = "Pythonのテストをpytestで書く方法です。フィクスチャを使います。"
PASTA = "パスタを茹でてソースを作りました。トマトとバジルの料理です。"


def _blog() -> list[Post]:
    posts = []
    for year in (2023, 2024):
        for i in range(3):
            posts.append(post(f"advent-{year}-{i}.md", dt.date(year, 12, 1 + i),
                              f"advent{year}", title=f"アドベントカレンダー{i}日目",
                              body=ADVENT))
        for i in range(3):
            posts.append(post(f"python-{year}-{i}.md", dt.date(year, 5, 1 + i), "Python",
                              title="Pythonのテスト", body=PYTHON))
            posts.append(post(f"pasta-{year}-{i}.md", dt.date(year, 6, 1 + i), "料理",
                              title="パスタの作り方", body=PASTA))
    return posts


@pytest.fixture(scope="module")
def trained():
    suggester = Suggester().fit(_blog())
    return suggester, suggester.report_


def test_the_model_learns_the_series_and_suggests_the_drafts_year(trained):
    suggester, report = trained
    assert "advent{year}" in suggester.tag_labels_
    assert report.tag_counts["advent{year}"] == 6
    draft = post("new.md", dt.date(2025, 12, 4), title="アドベントカレンダー4日目", body=ADVENT)
    [suggestion] = suggester.suggest_posts([draft], explain=3)
    assert suggestion.tags[0].label == "advent2025"
    assert suggestion.tag_candidates[0].label == "advent2025"
    assert suggestion.explanations["tags"]["advent2025"]
    undated = suggester.suggest_text("# アドベントカレンダー\n\n" + ADVENT)
    assert undated.tags[0].label == f"advent{dt.date.today().year}"


def test_literal_years_can_be_kept():
    suggester = Suggester(TrainingConfig(tag_series=False)).fit(_blog())
    assert {"advent2023", "advent2024"} <= set(suggester.tag_labels_)
    assert "advent{year}" not in suggester.tag_labels_


def test_evaluation_counts_next_years_tag_as_known_and_found():
    test = [post("t.md", dt.date(2025, 12, 1), "advent2025", title="アドベントカレンダー1日目",
                 body=ADVENT)]
    result = evaluate_split(_blog(), test)
    assert result["gold_tags_unknown_to_model"] == 0
    assert result["model"]["tags"]["precision@1"] == 1.0
    literal = evaluate_split(_blog(), test, TrainingConfig(tag_series=False))
    assert literal["gold_tags_unknown_to_model"] == 1
    assert literal["model"]["tags"]["precision@1"] == 0.0


def test_the_check_knows_this_years_tag_of_a_series(trained):
    suggester, _ = trained
    checker = Checker(Taxonomy(known_tags=tuple(suggester.tag_labels_)), suggester)
    text = ("---\ntitle: アドベントカレンダー5日目\ndate: 2025-12-05\ntags: [advent2025]\n---\n"
            + ADVENT + "\n")
    report = checker.check_texts([("2025-12-05-advent.md", text)])
    assert [f.rule for f in report.findings] == []
    stale = text.replace("2025-12-05", "2026-12-05")  # last year's tag on this year's post
    report = checker.check_texts([("2026-12-05-advent.md", stale)])
    [finding] = report.findings
    assert (finding.rule, finding.line, finding.field) == ("tag-series-year", 4, "tags")
    assert "'advent{year}'" in finding.message and "2026" in finding.message
    assert (finding.fix.old, finding.fix.new, finding.fix.safe) == ("advent2025", "advent2026",
                                                                    False)


def test_a_canonical_series_in_the_taxonomy_covers_every_year():
    checker = Checker(Taxonomy(tags=("advent{year}", "Python")))
    text = "---\ntitle: 5日目\ndate: 2025-12-05\ntags: [advent2025, Python, Go]\n---\n本文\n"
    report = checker.check_texts([("2025-12-05-a.md", text)])
    assert [(f.rule, f.message.split("'")[1]) for f in report.findings] == [("tag-unknown", "Go")]
