"""Evaluation: metrics on hand-computed cases, time splits, baselines, folds."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from conftest import JEKYLL

from bunrui.classifier import (
    InputError,
    Post,
    Suggester,
    TrainingConfig,
    evaluate_folds,
    evaluate_rolling,
    evaluate_split,
    load_corpus,
    newest_share_date,
    time_split,
)
from bunrui.classifier.model.evaluation import (
    baseline,
    category_metrics,
    rolling_windows,
    tag_metrics,
)


def test_tag_metrics_by_hand():
    gold = [["a", "b"], ["c"], []]
    ranked = [["a", "x", "b", "y", "z", "b2"], ["x", "y", "z", "w", "c"], ["a"]]
    chosen = [["a", "x"], [], ["a"]]
    got = tag_metrics(gold, ranked, chosen)
    # The third post has no gold tag and does not count.
    assert got["posts"] == 2
    assert got["precision@1"] == pytest.approx((1 + 0) / 2)
    assert got["precision@3"] == pytest.approx((2 / 3 + 0) / 2)
    assert got["precision@5"] == pytest.approx((2 / 5 + 1 / 5) / 2)
    assert got["recall@5"] == pytest.approx((2 / 2 + 1 / 1) / 2)
    first = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))  # hits at ranks 1 and 3 of 2
    second = (1 / math.log2(6)) / 1  # a hit at rank 5 of 1
    assert got["ndcg@5"] == pytest.approx((first + second) / 2)
    assert got["f1"] == pytest.approx((2 * 1 / (2 + 2) + 0) / 2)
    assert got["micro_precision"] == pytest.approx(1 / 2)
    assert got["micro_recall"] == pytest.approx(1 / 3)
    assert got["tags_per_post"] == pytest.approx(1.0)


def test_tag_metrics_count_gold_tags_the_model_never_saw():
    # "新顔" is not among the model's labels, so it can be neither ranked nor chosen.
    got = tag_metrics([["a", "新顔"]], [["a", "b", "c"]], [["a"]])
    assert got["precision@1"] == 1.0
    assert got["precision@3"] == pytest.approx(1 / 3)
    assert got["recall@5"] == pytest.approx(1 / 2)
    assert got["f1"] == pytest.approx(2 * 1 / (2 + 1))
    assert got["ndcg@5"] == pytest.approx(1 / (1 + 1 / math.log2(3)))
    assert got["micro_recall"] == pytest.approx(1 / 2)


@pytest.mark.parametrize(
    ("gold", "ranked", "chosen", "f1", "precision_1"),
    [
        ([["a"]], [["a"]], [["a"]], 1.0, 1.0),
        ([["a"]], [["b", "a"]], [["b"]], 0.0, 0.0),
        ([["a", "b"]], [["a", "b"]], [[]], 0.0, 1.0),
        ([["a"]], [["a", "b", "c"]], [["a", "b", "c"]], 0.5, 1.0),
        ([["a", "b", "c", "d"]], [["a"]], [["a"]], 0.4, 1.0),
    ],
)
def test_tag_f1_and_precision_table(gold, ranked, chosen, f1, precision_1):
    got = tag_metrics(gold, ranked, chosen)
    assert got["f1"] == pytest.approx(f1)
    assert got["precision@1"] == pytest.approx(precision_1)


def test_tag_metrics_with_no_gold_tags_is_empty():
    assert tag_metrics([[], []], [["a"], ["b"]], [["a"], []]) == {}


def test_ndcg_is_one_for_a_perfect_ranking():
    got = tag_metrics([["a", "b", "c"]], [["a", "b", "c", "x", "y"]], [["a", "b", "c"]])
    assert got["ndcg@5"] == pytest.approx(1.0)
    assert got["f1"] == pytest.approx(1.0)
    assert got["recall@5"] == pytest.approx(1.0)


def test_category_metrics_by_hand():
    got = category_metrics(["x", "x", "y", None], ["x", "y", "y", "x"])
    assert got["posts"] == 3  # the post without a gold category does not count
    assert got["accuracy"] == pytest.approx(2 / 3)
    # x: precision 1, recall 1/2 -> F1 2/3; y: precision 1/2, recall 1 -> F1 2/3.
    assert got["macro_f1"] == pytest.approx(2 / 3)


def test_category_metrics_with_missing_predictions():
    got = category_metrics(["x", "y"], [None, "y"])
    assert got["accuracy"] == pytest.approx(1 / 2)
    assert got["macro_f1"] == pytest.approx((0 + 1) / 2)
    assert category_metrics([None], ["x"]) == {}


def dated(day: int, categories=(), tags=()) -> Post:
    return Post(path=f"p{day}.md", title="t", body="b", date=dt.date(2025, 1, day),
                categories=categories, tags=tags)


def test_time_split():
    posts = [dated(d) for d in (5, 1, 3, 2, 4)] + [Post(path="undated.md", title="t", body="b")]
    before, after = time_split(posts, dt.date(2025, 1, 3))
    assert sorted(p.date.day for p in before) == [1, 2]
    assert sorted(p.date.day for p in after) == [3, 4, 5]  # the split day is tested on


@pytest.mark.parametrize("day", [1, 6])
def test_time_split_with_an_empty_side_is_an_input_error(day):
    with pytest.raises(InputError, match="leaves"):
        time_split([dated(d) for d in range(1, 6)], dt.date(2025, 1, day))


@pytest.mark.parametrize(("share", "day", "tested"), [(0.2, 9, 2), (0.5, 6, 5), (0.05, 10, 1)])
def test_newest_share_date(share, day, tested):
    posts = [dated(d) for d in range(10, 0, -1)]
    date = newest_share_date(posts, share)
    assert date == dt.date(2025, 1, day)
    assert len(time_split(posts, date)[1]) == tested


def test_newest_share_date_needs_dates():
    with pytest.raises(InputError):
        newest_share_date([Post(path="x", title="t", body="b")], 0.2)


def test_baseline_by_hand():
    train_posts = [dated(1, ("料理",), ("和食", "時短")), dated(2, ("料理",), ("和食",)),
                   dated(3, ("旅行",), ("京都", "和食"))]
    test_posts = [dated(4, ("料理",), ("和食",)), dated(5, ("旅行",), ("京都",))]
    got = baseline(train_posts, test_posts)
    # Always 料理; always the median number of tags (2) of the most frequent: 和食, then one
    # of the tags used once, in first-seen order (時短).
    assert got["category"]["accuracy"] == pytest.approx(1 / 2)
    assert got["tags"]["precision@1"] == pytest.approx((1 + 0) / 2)
    assert got["tags"]["f1"] == pytest.approx((2 / 3 + 0) / 2)
    assert got["tags"]["tags_per_post"] == pytest.approx(2)


@pytest.fixture(scope="module")
def posts():
    return load_corpus([JEKYLL]).posts


@pytest.fixture(scope="module")
def split_result(posts):
    train_posts, test_posts = time_split(posts, dt.date(2025, 5, 1))
    return evaluate_split(train_posts, test_posts, TrainingConfig(min_tag_count=3))


def test_evaluate_split_reports_model_and_baseline(split_result):
    assert split_result["train_posts"] == 19
    assert split_result["test_posts"] == 9
    for side in ("model", "baseline"):
        assert set(split_result[side]) == {"category", "tags"}
        assert {"accuracy", "macro_f1", "posts"} <= set(split_result[side]["category"])
        assert {"precision@1", "precision@3", "precision@5", "recall@5", "ndcg@5", "f1"} <= set(
            split_result[side]["tags"])
        for kind in ("category", "tags"):
            for key, value in split_result[side][kind].items():
                if key not in ("posts", "tags_per_post"):
                    assert 0.0 <= value <= 1.0, (side, kind, key)
    # Before May the most frequent category is 旅行 (7 of 19); 2 of the 9 test posts are 旅行.
    assert split_result["baseline"]["category"]["accuracy"] == pytest.approx(2 / 9)
    assert 0.0 <= split_result["tag_threshold"] <= 1.0


def test_evaluate_split_model_beats_the_baseline(split_result):
    model, base = split_result["model"], split_result["baseline"]
    assert model["category"]["accuracy"] > base["category"]["accuracy"]
    assert model["tags"]["f1"] > base["tags"]["f1"]


def test_evaluate_split_counts_gold_tags_unknown_to_the_model(split_result):
    # Before May, お菓子 was used once and JavaScript twice: below min_tag_count 3. The test
    # posts use お菓子 once and JavaScript twice.
    assert split_result["gold_tags_unknown_to_model"] == 3


def test_evaluate_folds(posts):
    result = evaluate_folds(posts, 3)
    assert result["folds"] == 3
    assert result["test_posts"] == 28
    for side in ("model", "baseline"):
        assert {"accuracy", "macro_f1"} <= set(result[side]["category"])
        assert {"precision@3", "f1", "ndcg@5"} <= set(result[side]["tags"])
    # Every post is tested once: the mean size of a fold is a third of the posts.
    assert result["model"]["category"]["posts"] == pytest.approx(28 / 3)
    assert result["model"]["category"]["accuracy"] > result["baseline"]["category"]["accuracy"]


@pytest.mark.parametrize("k", [1, 29])
def test_evaluate_folds_rejects_impossible_k(posts, k):
    with pytest.raises(InputError, match="folds"):
        evaluate_folds(posts, k)


def test_rolling_windows_train_only_on_older_posts(posts):
    start = dt.date(2025, 5, 1)
    windows = list(rolling_windows(posts, start, every_days=14))
    tested = [p for _, window in windows for p in window]
    assert sorted(p.path for p in tested) == sorted(p.path for p in time_split(posts, start)[1])
    for train_posts, window in windows:
        first = min(p.date for p in window)
        assert (max(p.date for p in window) - first).days < 14
        assert max(p.date for p in train_posts) < first
        # Everything older is trained on, so each window sees the ones before it.
        assert len(train_posts) == sum(p.date < first for p in posts if p.date)


@pytest.mark.parametrize(("start", "every"), [(dt.date(2026, 1, 1), 1), (dt.date(2024, 1, 1), 1),
                                              (dt.date(2025, 5, 1), 0)])
def test_rolling_windows_reject_impossible_settings(posts, start, every):
    with pytest.raises(InputError) as info:
        list(rolling_windows(posts, start, every))
    assert info.value.field in ("rolling-from", "every")


def test_evaluate_rolling_retrains_reusing_earlier_choices(posts, monkeypatch):
    seen = []
    real_fit = Suggester.fit

    def recording_fit(self, train_posts, **kwargs):
        seen.append((len(train_posts), kwargs.get("previous")))
        return real_fit(self, train_posts, **kwargs)

    monkeypatch.setattr(Suggester, "fit", recording_fit)
    config = TrainingConfig(min_tag_count=3)
    result = evaluate_rolling(posts, dt.date(2025, 5, 1), config, every_days=14)
    assert result["retrains"] == len(seen) == 5
    assert [n for n, _ in seen] == sorted(n for n, _ in seen)  # more posts each time
    # The first training chooses afresh; each later one is handed the card before it.
    assert seen[0][1] is None and all(previous.training.posts == n
                                      for (n, _), (_, previous) in zip(seen[:-1], seen[1:],
                                                                    strict=True))
    assert result["test_posts"] == 9
    assert result["model"]["tags"]["f1"] > result["baseline"]["tags"]["f1"]
    assert result["model"]["category"]["accuracy"] > result["baseline"]["category"]["accuracy"]
