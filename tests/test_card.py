"""The model card: one typed record, read and written in one place, byte for byte."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from conftest import JEKYLL

from bunrui.classifier import ModelError, Suggester, TrainingConfig, load_corpus, save_model
from bunrui.classifier.model.card import CARD_FILE, FORMAT_VERSION, ModelCard


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    suggester = Suggester().fit(load_corpus([JEKYLL]).posts)
    report = suggester.report_
    folder = tmp_path_factory.mktemp("card")
    card = save_model(suggester, str(folder), report.card(TrainingConfig(), sources=["jekyll"],
                                                          skipped=0))
    return (folder / CARD_FILE).read_text(encoding="utf-8"), card


def test_reading_and_writing_a_card_gives_the_same_bytes(written):
    text, card = written
    assert ModelCard.from_json(json.loads(text), CARD_FILE).dumps() == text
    assert card.dumps() == text
    assert list(json.loads(text)) == ["format_version", "created", "versions", "training",
                                      "labels", "rare_tags", "tag_threshold", "max_tags",
                                      "half_life_days", "validation", "conventions", "files"]
    assert card.training.sources == ["jekyll"] and card.training.skipped == 0


def test_a_newer_cards_extra_fields_are_left_aside(written):
    data = {**json.loads(written[0]), "something_new": [1, 2]}
    assert ModelCard.from_json(data, CARD_FILE) == written[1]


@pytest.mark.parametrize(("change", "words"), [
    (lambda d: d.pop("labels"), "labels"),
    (lambda d: d.pop("training"), "TrainingFacts is not a JSON object"),
    (lambda d: d["training"].pop("fingerprint"), "fingerprint"),
    (lambda d: d.update(max_tags="6"), "'max_tags' is a str"),
    (lambda d: d.update(tag_threshold=True), "'tag_threshold' is a bool"),
    (lambda d: d["training"].update(posts="many"), "'training' is not as bunrui writes it"),
    (lambda d: d.update(format_version=FORMAT_VERSION + 1), "retrain"),
])
def test_a_card_not_as_written_is_refused_by_name(written, change, words):
    data = json.loads(written[0])
    change(data)
    with pytest.raises(ModelError, match="model card|format") as info:
        ModelCard.from_json(data, CARD_FILE)
    assert words in info.value.message


def test_the_key_names_the_training(written):
    card = written[1]
    assert card.key == f"{card.created}|{card.training.fingerprint}"


def test_the_share_of_labels_a_model_knows(written):
    card = replace(written[1], labels={"categories": {"料理": 3}, "tags": {"Python": 2}},
                   rare_tags={"京都": 1})
    assert card.known_share(["料理", "Python", "京都"]) == 1.0
    # Spelling folded as label_key folds it (width, case, spaces); repeats counted.
    assert card.known_share(["ＰＹＴＨＯＮ", "見知らぬタグ", "見知らぬタグ", "x"]) == 0.25
    assert card.known_share([]) is None
