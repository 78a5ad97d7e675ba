"""Choices made per blog: candidates scored on rolling windows of the newest posts, and
the conventions learned from the posts (tag named like its category, one category only)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from bunrui.classifier import Post, Suggester, TrainingConfig, evaluate_split
from bunrui.classifier.check import Checker
from bunrui.classifier.conform import conform
from bunrui.classifier.model import selection
from bunrui.classifier.model.config import CANDIDATES
from bunrui.classifier.model.conventions import TAG_IS_CATEGORY_SHARE, learn_conventions
from bunrui.classifier.model.selection import windows
from bunrui.classifier.taxonomy import resolve_taxonomy
from bunrui.classifier.taxonomy.discovery import taxonomy_from_card

TOPICS = {
    "料理": ("味噌汁の作り方", "出汁を取り、豆腐とわかめを入れて味噌を溶く。", ("和食", "汁物")),
    "旅行": ("京都の寺を歩く", "清水寺から八坂神社へ歩き、紅葉を眺めた。", ("京都", "紅葉")),
    "技術": ("Pythonのテスト", "pytestでテストを書き、関数の振る舞いを確かめる。",
             ("Python", "テスト")),
}


def topical_posts(n: int, start=dt.date(2024, 1, 1), **overrides) -> list[Post]:
    """``n`` posts dated a day apart, the three topics in turn, each with its labels."""
    posts = []
    for i in range(n):
        category = list(TOPICS)[i % 3]
        title, body, tags = TOPICS[category]
        labels = {"categories": (category,), "tags": tags, **overrides}
        posts.append(Post(path=f"p{i:03}.md", title=f"{title} その{i}", body=body,
                          date=start + dt.timedelta(days=i), **labels))
    return posts


def test_windows_are_consecutive_and_newest_last():
    assert windows(200) == [(170, 180), (180, 190), (190, 200)]
    assert windows(2000) == [(1850, 1900), (1900, 1950), (1950, 2000)]  # 50 at most
    assert windows(40) == [(25, 30), (30, 35), (35, 40)]  # at least 5 posts each
    assert windows(24) == []  # too few left to fit on


def test_plain_wins_where_the_candidates_tie():
    # Every candidate gets every window's tags right: the simplest is kept.
    suggester = Suggester().fit(topical_posts(60))
    validation = suggester.report_.validation
    assert validation["chosen"]["tags"] == "plain"
    assert set(validation["candidates"]) == set(CANDIDATES)
    assert suggester.plain_tag_model_ is None and suggester.tag_mix_ == 1.0  # no votes
    assert suggester.neighbours_ is not None  # but the similar posts are shown
    assert suggester.report_.half_life_days["tags"] is None
    # Every candidate puts the right category first too; they differ in how sure they are,
    # and the surest (the logistic regression, C=30: the plain SVM's margins are small
    # on so few posts) is chosen.
    figures = {name: f for name, f in validation["candidates"].items()
               if CANDIDATES[name].get("categories", True)}
    assert all(f["category_accuracy"] == 1.0 for f in figures.values())
    best = min(figures, key=lambda name: figures[name]["category_log_loss"])
    assert validation["chosen"]["categories"] == best != "plain"


def drifting_posts() -> list[Post]:
    """Posts on testing Python were tagged テスト for a year, then 単体テスト lately; the
    newest 24 carry the new tag, more than the three windows (15 posts) hold."""
    posts = topical_posts(90)
    drift = dt.date(2024, 1, 1) + dt.timedelta(days=len(posts))
    title, body, _ = TOPICS["技術"]
    posts += [Post(path=f"new{i:02}.md", title=f"{title} 新{i}", body=body,
                   date=drift + dt.timedelta(days=200 + i), categories=("技術",),
                   tags=("Python", "単体テスト")) for i in range(24)]
    return posts


def test_a_recent_candidate_wins_when_labels_drift():
    suggester = Suggester().fit(drifting_posts())
    validation = suggester.report_.validation
    assert validation["chosen"]["tags"] == "plain, recent"
    figures = validation["candidates"]
    assert figures["plain, recent"]["tag_score"] > figures["plain"]["tag_score"]
    assert suggester.report_.half_life_days["tags"] is not None
    tags = [t.label for t in suggester.suggest_text("# Pythonのテスト\n\npytestで書く。").tags]
    assert "単体テスト" in tags and "テスト" not in tags


def _category_window(posts, a: int, b: int, sure: float, wrong: set[int] = frozenset()):
    """One window's category probabilities: ``sure`` for the right category, or for a
    wrong one on the posts ``wrong``."""
    classes, rows = list(TOPICS), []
    for i in range(a, b):
        row = np.full(3, (1 - sure) / 2)
        right = classes.index(posts[i].categories[0])
        row[(right + 1) % 3 if i in wrong else right] = sure
        rows.append(row)
    return ((classes, np.array(rows)), None)


def test_categories_are_chosen_by_accuracy_then_by_the_probability_of_the_right_one():
    posts = topical_posts(45)
    spans = [(30, 35), (35, 40), (40, 45)]

    def choice(**candidates):
        results = {name: [_category_window(posts, a, b, *how) for a, b in spans]
                   for name, how in candidates.items()}
        tally = selection._tally(results, posts, spans, judge=None)
        losses = {name: figures["category_log_loss"] for name, figures in tally.items()}
        return selection._simplest_within_noise(tally, "category_hits", "category_logp"), losses

    # The same category first on every post: the one surer of it leads beyond noise.
    assert choice(plain=(0.6,), tuned=(0.9,))[0] == "tuned"
    # Less sure of the right category, but it comes first on every post, where the other
    # misses one post in five: accuracy decides before the log-likelihood does.
    chosen, losses = choice(plain=(0.34,), tuned=(0.5, {30, 35, 40}))
    assert chosen == "plain" and losses["tuned"] < losses["plain"]
    # Within noise on both: the simplest.
    assert choice(plain=(0.9,), tuned=(0.9,))[0] == "plain"


def test_a_named_candidate_is_used_and_its_threshold_still_chosen():
    suggester = Suggester(TrainingConfig(candidate="tuned")).fit(topical_posts(60))
    validation = suggester.report_.validation
    assert validation["chosen"] == {"categories": "tuned", "tags": "tuned"}
    assert list(validation["candidates"]) == ["tuned"]
    assert suggester.tag_blend_ == TrainingConfig().tag_blend > 0
    assert suggester.plain_tag_model_ is not None and suggester.neighbours_ is not None


def test_the_svms_are_calibrated_on_the_windows():
    suggester = Suggester(TrainingConfig(candidate="plain")).fit(topical_posts(60))
    a, b = suggester.report_.validation["calibration"]["tags"]
    assert a > 1 and suggester.tag_calibration_ == (a, b)
    assert suggester.category_model_.temperature_ > 1
    # Calibrated, a sure label is near certain, as a logistic model's would be.
    suggestion = suggester.suggest_text("# 味噌汁の作り方\n\n出汁を取り、豆腐とわかめを入れる。")
    assert suggestion.category.label == "料理" and suggestion.category.score > 0.9
    assert suggestion.tags[0].score > 0.9


def test_choices_are_reused_on_retraining_and_retuned_on_request():
    posts = drifting_posts()
    first = Suggester().fit(posts)
    card = first.report_.card(TrainingConfig())
    again = Suggester().fit(posts[:-1], previous=card)  # one post fewer: reused
    assert again.report_.validation["reused_from"] == card.created
    assert again.report_.validation["chosen"] == first.report_.validation["chosen"]
    assert again.report_.half_life_days == first.report_.half_life_days


def test_one_category_on_every_post_teaches_nothing():
    posts = topical_posts(40, categories=("blog",))
    suggester = Suggester().fit(posts)
    assert suggester.category_model_ is None and suggester.category_labels_ == []
    note = suggester.report_.conventions["categories"]
    assert "'blog'" in note and "no category model" in note
    assert suggester.suggest_text("# 味噌汁\n\n出汁を取る。").category is None
    result = evaluate_split(posts[:30], posts[30:])
    assert result["model"]["category"] == {} and result["baseline"]["category"] == {}
    assert result["categories"] == note.replace("40 posts", "30 posts")


@pytest.mark.parametrize("share, learned", [(0.0, False), (0.1, False), (0.5, True),
                                            (1.0, True)])
def test_tags_named_like_their_category_are_the_blogs_convention_past_a_share(share, learned):
    posts = topical_posts(40)
    carrying = int(len(posts) * share)
    posts = [Post(**{**vars(p), "tags": (*p.tags, p.categories[0])}) if i < carrying else p
             for i, p in enumerate(posts)]
    conventions = learn_conventions(posts, {})
    assert conventions["tag_is_category_share"] == pytest.approx(share)
    assert conventions["tag_is_category"] is learned
    assert (share >= TAG_IS_CATEGORY_SHARE) is learned


def test_a_learned_convention_keeps_category_tags_in_suggestions_and_checks(tmp_path):
    posts = [Post(**{**vars(p), "tags": (*p.tags, p.categories[0])})
             for p in topical_posts(60)]
    suggester = Suggester().fit(posts)
    card = suggester.report_.card(TrainingConfig())
    assert card.conventions["tag_is_category"] is True
    taxonomy = taxonomy_from_card(card)
    assert taxonomy.severities == {"tag-is-category": "off"}
    served = conform(suggester.suggest_text("# 味噌汁の作り方\n\n出汁を取る。"), taxonomy)
    assert "料理" in [t.label for t in served.tag_candidates]
    # The blog's bunrui.toml has the last word.
    (tmp_path / "bunrui.toml").write_text('[rules]\ntag-is-category = "warning"\n',
                                          encoding="utf-8")
    resolved = resolve_taxonomy(None, start=str(tmp_path), card=card)
    assert resolved.severities["tag-is-category"] == "warning"
    served = conform(suggester.suggest_text("# 味噌汁の作り方\n\n出汁を取る。"), resolved)
    assert "料理" not in [t.label for t in served.tag_candidates]


def test_leaving_labels_out_is_a_convention_past_a_share(tmp_path):
    posts = topical_posts(60)
    posts = [Post(**{**vars(p), "tags": (), "categories": ()}) if i % 4 == 0 else p
             for i, p in enumerate(posts)]
    card = Suggester().fit(posts).report_.card(TrainingConfig())
    assert card.conventions["untagged_share"] == card.conventions["uncategorized_share"] == 0.25
    taxonomy = taxonomy_from_card(card)
    assert taxonomy.min_tags == 0 and taxonomy.severities == {"category-missing": "off"}
    (tmp_path / "bunrui.toml").write_text("[tags]\nmin_per_post = 1\n", encoding="utf-8")
    assert resolve_taxonomy(None, start=str(tmp_path), card=card).min_tags == 1
    # Under the share, the rules stand.
    strict = taxonomy_from_card(Suggester().fit(topical_posts(60)).report_.card(
        TrainingConfig()))
    assert strict.min_tags == 1 and strict.severities == {}


def test_several_categories_a_post_are_the_blogs_convention(tmp_path):
    # Hexo-like: each post's categories are a path, [topic, kind]; the second is never
    # first, so the model learns the first only, but both are the blog's categories.
    posts = [Post(**{**vars(p), "categories": (*p.categories, "日記" if i % 2 else "メモ")})
             for i, p in enumerate(topical_posts(60))]
    suggester = Suggester().fit(posts)
    assert sorted(suggester.category_labels_) == sorted(TOPICS)
    card = suggester.report_.card(TrainingConfig())
    assert card.conventions["max_categories"] == 2
    assert card.labels["categories"]["日記"] == card.labels["categories"]["メモ"] == 30
    taxonomy = taxonomy_from_card(card)
    assert taxonomy.max_categories == 2 and "日記" in taxonomy.categories
    checker = Checker(resolve_taxonomy(None, start=str(tmp_path), card=card))
    assert checker.check_post(posts[-1]) == []  # not too many, none unknown
    # The blog's bunrui.toml has the last word.
    (tmp_path / "bunrui.toml").write_text("[categories]\nmax_per_post = 1\n", encoding="utf-8")
    strict = Checker(resolve_taxonomy(None, start=str(tmp_path), card=card))
    assert [f.rule for f in strict.check_post(posts[-1])] == ["category-multiple"]
    # One category a post: one is the most.
    one = Suggester().fit(topical_posts(60)).report_.card(TrainingConfig())
    assert one.conventions["max_categories"] == 1


def hatena_posts(several: float = 0.5) -> list[Post]:
    """A blog with no tags, whose posts carry their topic and, on ``several`` of them, a
    second category: its categories are its tags (Hatena's `Category:` list)."""
    posts = topical_posts(60, tags=())
    return [Post(**{**vars(p), "categories": (*p.categories, "日記")})
            if i < len(posts) * several else p for i, p in enumerate(posts)]


def test_categories_are_the_tags_of_a_blog_without_tags_that_carries_several(tmp_path):
    suggester = Suggester().fit(hatena_posts())
    card = suggester.report_.card(TrainingConfig())
    assert card.conventions["categories_as_tags"] is True
    assert sorted(suggester.tag_labels_) == sorted([*TOPICS, "日記"])  # learned as tags
    assert sorted(suggester.category_labels_) == sorted(TOPICS)  # and the first as category
    suggestion = suggester.suggest_text("# 味噌汁の作り方\n\n出汁を取り、豆腐を入れる。")
    assert suggestion.category.label == "料理"
    assert "料理" in [t.label for t in suggestion.tags]
    # `check` holds the categories to the tag rules: a repeat is a duplicate; a new one is
    # a new tag, not a category outside the taxonomy.
    checker = Checker(resolve_taxonomy(None, start=str(tmp_path), card=card))
    post = Post(path="new.md", title="味噌汁", body="出汁", categories=("料理", "料理", "新顔"),
                date=dt.date(2024, 6, 1), label_keys={"categories": "Category"})
    findings = checker.check_post(post)
    assert all(f.message.endswith("this blog's categories are its tags") for f in findings)
    found = {(f.rule, f.field, f.item) for f in findings}
    assert ("tag-duplicate", "Category", 1) in found and ("tag-new", "Category", 2) in found
    assert ("tags-too-many", "Category", None) in found  # most a post carries: 2
    assert not any(rule.startswith("category-") for rule, _, _ in found)


def test_one_category_a_post_is_no_tag():
    card = Suggester().fit(hatena_posts(several=0.2)).report_.card(TrainingConfig())
    assert card.conventions["categories_as_tags"] is False and card.labels["tags"] == {}
