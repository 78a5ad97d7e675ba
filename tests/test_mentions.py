"""A tag named in a draft: found as a run of its tokens, weighed as the windows say."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bunrui.classifier import Post, Suggester, Tokenizer
from bunrui.classifier.model.calibration import platt
from bunrui.classifier.model.mentions import Mentions, tag_words


def test_a_tag_is_found_as_a_run_of_its_tokens():
    mentions = Mentions([("京都",), ("機械", "学習"), ()])
    title, body = mentions([(["京都", "紅葉"], ["東京", "都", "機械", "学習", "機械"])])
    assert title.tolist() == [[1.0, 0.0, 0.0]]
    # 京都 is not in 東京 都; 機械 alone is not 機械 学習; an empty run is never found.
    assert body.tolist() == [[0.0, 1.0, 0.0]]


WORD = st.sampled_from(["a", "b", "c", "d"])


def _runs(tokens: list[str], run: tuple[str, ...]) -> int:
    return sum(tuple(tokens[i:i + len(run)]) == run for i in range(len(tokens)))


@given(st.lists(st.lists(WORD, max_size=3), min_size=1, max_size=5),
       st.lists(WORD, max_size=30), st.lists(WORD, max_size=30))
def test_a_tag_is_found_exactly_where_its_run_stands(words, title_tokens, body_tokens):
    runs = [tuple(w) for w in words]
    title, body = Mentions(runs)([(title_tokens, body_tokens)])
    counts = np.array([_runs(body_tokens, run) if run else 0 for run in runs], dtype=float)
    for j, run in enumerate(runs):
        assert title[0, j] == float(bool(run) and _runs(title_tokens, run) > 0)
    expected = np.log1p(counts) / np.log1p(counts).max() if counts.any() else counts
    assert body[0] == pytest.approx(expected)


def test_the_body_counts_beside_the_tag_it_names_most():
    title, body = Mentions([("a",), ("b",), ("c",)])([([], ["a", "b", "a", "a", "x"]),
                                                       ([], ["x"])])
    assert body[0, 0] == 1.0 and body[0, 2] == 0.0
    assert body[0, 1] == pytest.approx(np.log(2) / np.log(4))
    assert body[1].tolist() == [0.0, 0.0, 0.0]  # nothing named: nothing divided by 0


def test_tag_words_are_the_labels_as_tokenized_and_no_series():
    tokenize = Tokenizer()
    labels = ["京都", "機械学習", "advent{year}", "Python"]
    words = tag_words(labels, [tokenize(label) for label in labels])
    assert words == [("京都",), ("機械", "学習"), (), ("python",)]


def test_platt_learns_what_a_mention_adds_and_never_a_negative_weight():
    rng = np.random.default_rng(0)
    margins = rng.normal(size=(400, 10))
    named = (rng.random((400, 10)) < 0.1).astype(float)
    noise = (rng.random((400, 10)) < 0.1).astype(float)
    truth = (rng.random((400, 10)) < 1 / (1 + np.exp(-(2 * margins - 2 + 3 * named))))
    a, b, w_named = platt(margins, truth.astype(int), [named])
    assert a == pytest.approx(2, abs=0.4) and w_named == pytest.approx(3, abs=0.6)
    # A mention that goes with the label's absence counts for nothing, not against it.
    *_, w_against = platt(margins, truth.astype(int), [named * (1 - truth)])
    assert w_against == 0.0
    assert platt(margins, truth.astype(int), [noise])[2] < 0.5


NAMES = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike "
         "november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee "
         "zulu").split()


WORDS = ("林檎 蜜柑 葡萄 白桃 洋梨 干柿 苺 栗 梅 桜 松 竹 菊 "
         "蘭 藤 萩 杉 檜 楓 椿 牡丹 芍薬 百合 薔薇 菫 蓮").split()


def named_posts(n: int, recent: int = 15) -> list[Post]:
    """Posts on one of 26 things, each tagged with it. Its word (林檎 for Alpha) is in the
    body, its name in every other title; the newest ``recent`` name it in the title and
    carry the next thing's word (Alpha with 蜜柑): the words mislead there, the names not."""
    start, out = dt.date(2024, 1, 1), []
    for i in range(n):
        k, newest = i * 7 % 26, i >= n - recent
        title = f"{NAMES[k].title()}を試す" if newest or i % 2 == 0 else "試してみた"
        out.append(Post(path=f"p{i:03}.md", title=title,
                        body=f"{WORDS[(k + 1) % 26] if newest else WORDS[k]}の設定を書いた。",
                        date=start + dt.timedelta(days=i), categories=("技術",),
                        tags=(NAMES[k].title(),)))
    return out


def test_training_keeps_the_mentions_where_they_help_on_the_windows():
    suggester = Suggester().fit(named_posts(100))
    weights = suggester.report_.validation["calibration"]["mentions"]
    assert weights[0] > 1 and list(suggester.tag_mentions_) == weights
    suggestion = suggester.suggest_text("# Kiloを試す\n\n林檎の設定を書いた。")  # Alpha's word
    assert suggestion.tag_candidates[0].label == "Kilo"


def test_training_leaves_the_mentions_out_where_they_do_not_help():
    # The words never mislead: the model alone ranks every window post right.
    suggester = Suggester().fit(named_posts(100, recent=0))
    assert suggester.report_.validation["calibration"]["mentions"] == [0.0, 0.0]
    assert suggester.tag_mentions_ == (0.0, 0.0)
