"""Saving and loading models: roundtrip, the model card, and clear errors for bad folders."""

from __future__ import annotations

import datetime as dt
import json

import joblib
import pytest
from conftest import DRAFT_EXPECTATIONS, DRAFTS, JEKYLL

from classifier import (
    ModelError,
    TrainingConfig,
    load_corpus,
    load_model,
    read_card,
    save_model,
    train,
)
from classifier.persistence import CARD_FILE, FORMAT_VERSION, MODEL_FILE


@pytest.fixture(scope="module")
def trained():
    corpus = load_corpus([JEKYLL])
    config = TrainingConfig(min_tag_count=3)
    suggester, report = train(corpus.posts, config)
    return suggester, report.card(config), corpus


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    suggester, card, _ = trained
    folder = tmp_path_factory.mktemp("models") / "blog"
    written = save_model(suggester, str(folder), card)
    return folder, written


@pytest.fixture
def copy_of_saved(saved, tmp_path):
    """A model folder this test may damage."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in (MODEL_FILE, CARD_FILE):
        (folder / name).write_bytes((saved[0] / name).read_bytes())
    return folder


def draft(name: str) -> str:
    return (DRAFTS / name).read_text(encoding="utf-8")


def test_roundtrip_gives_identical_suggestions(trained, saved):
    suggester = trained[0]
    loaded, card = load_model(str(saved[0]))
    assert card == saved[1]
    for name, category, _ in DRAFT_EXPECTATIONS:
        before = suggester.suggest_text(draft(name), name, explain=3).as_dict()
        after = loaded.suggest_text(draft(name), name, explain=3).as_dict()
        assert after == before
        assert after["category"]["label"] == category


def test_folder_holds_the_model_and_card_only(saved):
    assert sorted(p.name for p in saved[0].iterdir()) == sorted([MODEL_FILE, CARD_FILE])


def test_model_card(trained, saved):
    _, _, corpus = trained
    card = json.loads((saved[0] / CARD_FILE).read_text(encoding="utf-8"))
    assert card == saved[1]
    assert card["format_version"] == FORMAT_VERSION
    assert card["labels"]["categories"] == {"プログラミング": 10, "料理": 9, "旅行": 9}
    assert card["labels"]["tags"]["Python"] == 6
    assert card["labels"]["tags"]["京都"] == 3
    assert card["rare_tags"] == {"お菓子": 2}
    for name in ("python", "scikit-learn", "fugashi", "unidic-lite"):
        assert card["versions"][name] not in ("", None, "unknown"), name
    assert card["training"]["posts"] == 28
    assert len(card["training"]["fingerprint"]) == 32
    assert card["training"]["config"]["min_tag_count"] == 3
    created = dt.datetime.fromisoformat(card["created"])
    assert created.tzinfo is not None
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(hours=1)
    # Japanese labels are written as themselves, not as \\u escapes.
    assert "プログラミング" in (saved[0] / CARD_FILE).read_text(encoding="utf-8")


def test_read_card_alone(saved):
    assert read_card(str(saved[0])) == saved[1]


def test_save_over_an_existing_model(trained, copy_of_saved):
    suggester, card, _ = trained
    save_model(suggester, str(copy_of_saved), {**card, "note": "second"})
    assert load_model(str(copy_of_saved))[1]["note"] == "second"
    assert sorted(p.name for p in copy_of_saved.iterdir()) == sorted([MODEL_FILE, CARD_FILE])


def test_failed_save_keeps_the_old_model_and_leaves_no_temp_files(
    trained, copy_of_saved, monkeypatch
):
    suggester, card, _ = trained
    before = {p.name: p.read_bytes() for p in copy_of_saved.iterdir()}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(joblib, "dump", full_disk)
    with pytest.raises(ModelError, match="No space left"):
        save_model(suggester, str(copy_of_saved), card)
    assert {p.name: p.read_bytes() for p in copy_of_saved.iterdir()} == before
    load_model(str(copy_of_saved))


def test_card_that_cannot_be_written_leaves_the_old_model_whole(trained, copy_of_saved):
    suggester, card, _ = trained
    before = {p.name: p.read_bytes() for p in copy_of_saved.iterdir()}
    with pytest.raises(TypeError):
        save_model(suggester, str(copy_of_saved), {**card, "oops": object()})
    assert {p.name: p.read_bytes() for p in copy_of_saved.iterdir()} == before


def test_save_into_an_impossible_folder(trained, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ModelError) as info:
        save_model(trained[0], str(tmp_path / "file" / "model"), trained[1])
    assert info.value.path == str(tmp_path / "file" / "model")


def test_missing_folder(tmp_path):
    folder = str(tmp_path / "nowhere")
    with pytest.raises(ModelError) as info:
        load_model(folder)
    assert info.value.path == folder
    assert "does not exist" in info.value.message
    assert folder in str(info.value)


def test_folder_without_a_card(tmp_path):
    with pytest.raises(ModelError, match=f"{CARD_FILE} is missing") as info:
        load_model(str(tmp_path))
    assert info.value.path == str(tmp_path)


def test_missing_model_file(copy_of_saved):
    (copy_of_saved / MODEL_FILE).unlink()
    with pytest.raises(ModelError, match=f"{MODEL_FILE} is missing"):
        load_model(str(copy_of_saved))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: raw[:10], id="cut-short"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: b"this is not a pickle" * 50, id="garbage"),
        pytest.param(lambda raw: raw[:200] + bytes(b ^ 0xFF for b in raw[200:400]) + raw[400:],
                     id="flipped-bytes"),
    ],
)
def test_corrupt_model_file_is_a_model_error(copy_of_saved, damage):
    path = copy_of_saved / MODEL_FILE
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(ModelError) as info:
        load_model(str(copy_of_saved))
    assert info.value.path == str(path)
    assert "retrain" in info.value.message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_model_file_holding_something_else(copy_of_saved):
    joblib.dump({"not": "a model"}, copy_of_saved / MODEL_FILE)
    with pytest.raises(ModelError, match="does not hold a bunrui model"):
        load_model(str(copy_of_saved))


@pytest.mark.parametrize("version", [None, 0, FORMAT_VERSION + 1, "1"])
def test_wrong_format_version(copy_of_saved, version):
    path = copy_of_saved / CARD_FILE
    card = json.loads(path.read_text(encoding="utf-8"))
    if version is None:
        del card["format_version"]
    else:
        card["format_version"] = version
    path.write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="format") as info:
        load_model(str(copy_of_saved))
    assert "retrain" in info.value.message
    assert info.value.path == str(path)


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", "", "\xff"])
def test_unreadable_card(copy_of_saved, text):
    (copy_of_saved / CARD_FILE).write_text(text, encoding="latin-1")
    with pytest.raises(ModelError, match="unreadable model card"):
        load_model(str(copy_of_saved))
