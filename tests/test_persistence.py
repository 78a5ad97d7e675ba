"""Saving and loading models: roundtrip, the model card, plain data only (no pickle), and
clear errors for missing, damaged, tampered and old model folders."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import hashlib
import io
import json
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from conftest import DRAFT_EXPECTATIONS, DRAFTS, JEKYLL

from bunrui.classifier import (
    ModelError,
    Suggester,
    TrainingConfig,
    load_corpus,
    load_model,
    read_card,
    save_model,
)
from bunrui.classifier.model import persistence
from bunrui.classifier.model.persistence import (
    ARRAYS_FILE,
    CARD_FILE,
    FORMAT_VERSION,
    LEGACY_FILE,
    PARAMS_FILE,
    POST_TAGS_FILE,
    POSTINGS_FILE,
)

MODEL_FILES = sorted([CARD_FILE, PARAMS_FILE, ARRAYS_FILE, POSTINGS_FILE, POST_TAGS_FILE])
DATA_FILES = [PARAMS_FILE, ARRAYS_FILE, POSTINGS_FILE, POST_TAGS_FILE]


@pytest.fixture(scope="module")
def trained():
    corpus = load_corpus([JEKYLL])
    # "tuned": every part a model can hold (neighbours, a blended-in SVM) is saved.
    config = TrainingConfig(min_tag_count=3, candidate="tuned")
    suggester = Suggester(config).fit(corpus.posts)
    report = suggester.report_
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
    for path in saved[0].iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def draft(name: str) -> str:
    return (DRAFTS / name).read_text(encoding="utf-8")


def replace_file(folder, name: str, data: bytes) -> None:
    """Put ``data`` in the folder as ``name`` and name it in the card, as a pull request
    that tampers with a model would: the card's digests are no defence, the checks are."""
    (folder / name).write_bytes(data)
    card = json.loads((folder / CARD_FILE).read_text(encoding="utf-8"))
    card["files"][name] = hashlib.sha256(data).hexdigest()
    (folder / CARD_FILE).write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def saved_arrays(folder) -> dict[str, np.ndarray]:
    with np.load(folder / ARRAYS_FILE) as npz:
        return dict(npz)


def edit_params(folder, edit) -> None:
    params = json.loads((folder / PARAMS_FILE).read_text(encoding="utf-8"))
    edit(params)
    replace_file(folder, PARAMS_FILE, json.dumps(params, ensure_ascii=False).encode())


def assert_model_error_names(folder, name: str) -> ModelError:
    with pytest.raises(ModelError) as info:
        load_model(str(folder))
    assert info.value.path == str(folder / name)
    assert "retrain" in info.value.message
    # No "during handling of the above exception" chain from numpy or json.
    assert info.value.__cause__ is None
    assert info.value.__context__ is None or info.value.__suppress_context__
    return info.value


# Roundtrip and card ----------------------------------------------------------------------


def test_roundtrip_gives_identical_suggestions(trained, saved):
    suggester = trained[0]
    loaded, card = load_model(str(saved[0]))
    assert card == saved[1]
    for name, category, _ in DRAFT_EXPECTATIONS:
        before = suggester.suggest_text(draft(name), name, explain=3).as_dict()
        after = loaded.suggest_text(draft(name), name, explain=3).as_dict()
        assert after == before
        assert after["category"]["label"] == category


def test_roundtrip_scores_are_identical_to_the_last_bit(trained, saved):
    suggester, _, corpus = trained
    loaded, _ = load_model(str(saved[0]))
    docs = suggester.documents(corpus.posts)
    assert loaded.documents(corpus.posts) == docs
    before, after = suggester.score(docs), loaded.score(docs)
    for old, new in zip(before[:2], after[:2], strict=True):
        assert new.dtype == old.dtype and np.array_equal(new, old)
    assert (before[2] != after[2]).nnz == 0
    # Column-major tag coefficients: scoring reads them in place (see TagClassifier.fit).
    assert loaded.tag_model_.coef_.flags.f_contiguous
    assert loaded.boilerplate_.recurring_ == suggester.boilerplate_.recurring_
    assert all(type(h) is int for h in loaded.boilerplate_.recurring_)


def test_folder_holds_data_files_and_card_only(saved):
    assert sorted(p.name for p in saved[0].iterdir()) == MODEL_FILES
    assert sorted(saved[1].files) == sorted(DATA_FILES)


def test_model_card(trained, saved):
    _, _, corpus = trained
    card = json.loads((saved[0] / CARD_FILE).read_text(encoding="utf-8"))
    assert card == saved[1].as_json()
    assert card["format_version"] == FORMAT_VERSION
    assert card["labels"]["categories"] == {"プログラミング": 10, "料理": 9, "旅行": 9}
    assert card["labels"]["tags"]["Python"] == 6
    assert card["labels"]["tags"]["京都"] == 3
    assert card["rare_tags"] == {"お菓子": 2}
    for name in ("python", "scikit-learn", "fugashi", "unidic-lite", "numpy", "scipy"):
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
    second = dataclasses.replace(card, validation={"note": "second"})
    save_model(suggester, str(copy_of_saved), second)
    assert load_model(str(copy_of_saved))[1].validation == {"note": "second"}
    assert sorted(p.name for p in copy_of_saved.iterdir()) == MODEL_FILES


def test_saving_into_an_old_models_folder_replaces_its_pickle(trained, tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / LEGACY_FILE).write_bytes(b"an old pickle")
    (folder / CARD_FILE).write_text('{"format_version": 3}', encoding="utf-8")
    save_model(trained[0], str(folder), trained[1])
    assert sorted(p.name for p in folder.iterdir()) == MODEL_FILES
    load_model(str(folder))


def test_a_model_without_similar_posts_leaves_none_of_their_files(trained, copy_of_saved):
    suggester = copy.copy(trained[0])
    suggester.neighbours_, suggester.tag_mix_ = None, 1.0
    save_model(suggester, str(copy_of_saved), trained[1])
    assert sorted(p.name for p in copy_of_saved.iterdir()) == sorted(
        [CARD_FILE, PARAMS_FILE, ARRAYS_FILE])
    loaded, _ = load_model(str(copy_of_saved))
    text = draft("python-draft.md")
    assert loaded.suggest_text(text).as_dict() == suggester.suggest_text(text).as_dict()


def test_loading_never_unpickles(saved, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a pickle was read")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)
    load_model(str(saved[0]))


# Failed saves ----------------------------------------------------------------------------


@pytest.mark.parametrize("failing_write", [0, 1])
def test_failed_save_leaves_no_temp_files_and_never_a_mixed_model(
    trained, copy_of_saved, monkeypatch, failing_write
):
    suggester, card, _ = trained
    before = {p.name: p.read_bytes() for p in copy_of_saved.iterdir()}
    writes = []
    real_write = persistence.write_atomic

    def write_until_the_disk_is_full(path, data):
        writes.append(path)
        if len(writes) > failing_write:
            raise OSError(28, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(persistence, "write_atomic", write_until_the_disk_is_full)
    with pytest.raises(ModelError, match="No space left"):
        fewer = copy.copy(suggester)
        fewer.max_tags_ = 1
        save_model(fewer, str(copy_of_saved), card)
    after = {p.name: p.read_bytes() for p in copy_of_saved.iterdir()}
    assert sorted(after) == sorted(before)  # no temporary files
    assert after[CARD_FILE] == before[CARD_FILE]
    if failing_write == 0:  # nothing written: the old model is whole
        assert after == before
        assert load_model(str(copy_of_saved))[0].max_tags_ == suggester.max_tags_
    else:  # the old card no longer matches a file: refused, never half of each model
        with pytest.raises(ModelError, match="does not match the model card"):
            load_model(str(copy_of_saved))


def test_card_that_cannot_be_written_leaves_the_old_model_whole(trained, copy_of_saved):
    suggester, card, _ = trained
    before = {p.name: p.read_bytes() for p in copy_of_saved.iterdir()}
    with pytest.raises(TypeError):
        save_model(suggester, str(copy_of_saved),
                   dataclasses.replace(card, validation={"oops": object()}))
    assert {p.name: p.read_bytes() for p in copy_of_saved.iterdir()} == before


def test_save_into_an_impossible_folder(trained, tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(ModelError) as info:
        save_model(trained[0], str(tmp_path / "file" / "model"), trained[1])
    assert info.value.path == str(tmp_path / "file" / "model")


# Missing and damaged files ---------------------------------------------------------------


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


@pytest.mark.parametrize("name", DATA_FILES)
def test_missing_model_file(copy_of_saved, name):
    (copy_of_saved / name).unlink()
    with pytest.raises(ModelError, match=f"{name} is missing") as info:
        load_model(str(copy_of_saved))
    assert info.value.path == str(copy_of_saved)


@pytest.mark.parametrize("name", DATA_FILES)
def test_a_file_changed_behind_the_cards_back(copy_of_saved, name):
    path = copy_of_saved / name
    path.write_bytes(path.read_bytes()[:-1])
    error = assert_model_error_names(copy_of_saved, name)
    assert "does not match the model card" in error.message


@pytest.mark.parametrize("name", DATA_FILES)
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: raw[:10], id="cut-short"),
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: b"this is not an array" * 50, id="garbage"),
        pytest.param(lambda raw: raw[:200] + bytes(b ^ 0xFF for b in raw[200:400]) + raw[400:],
                     id="flipped-bytes"),
    ],
)
def test_corrupt_model_file_is_a_model_error(copy_of_saved, name, damage):
    replace_file(copy_of_saved, name, damage((copy_of_saved / name).read_bytes()))
    assert_model_error_names(copy_of_saved, name)


# Tampered files: what a pull request could put in a model folder -------------------------


class _Planted:
    """Unpickling this creates ``marker``: proof that a pickle ran."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.mark.parametrize("card_version", [3, FORMAT_VERSION])
def test_a_planted_pickle_is_never_unpickled(copy_of_saved, tmp_path, card_version):
    marker = tmp_path / "pwned"
    (copy_of_saved / LEGACY_FILE).write_bytes(pickle.dumps(_Planted(marker)))
    card = json.loads((copy_of_saved / CARD_FILE).read_text(encoding="utf-8"))
    (copy_of_saved / CARD_FILE).write_text(
        json.dumps({**card, "format_version": card_version}), encoding="utf-8")
    with pytest.raises(ModelError) as info:
        load_model(str(copy_of_saved))
    assert "retrain" in info.value.message
    assert not marker.exists()


def test_a_pickle_inside_an_archive_is_never_unpickled(copy_of_saved, tmp_path):
    marker = tmp_path / "pwned"
    arrays = saved_arrays(copy_of_saved)
    arrays["idf"] = np.array([_Planted(marker)] * len(arrays["idf"]), dtype=object)
    replace_file(copy_of_saved, ARRAYS_FILE, npz_bytes(**arrays))  # numpy pickles it
    error = assert_model_error_names(copy_of_saved, ARRAYS_FILE)
    assert "Object arrays cannot be loaded" in error.message
    assert not marker.exists()


@pytest.mark.parametrize(
    ("array", "change", "expected"),
    [
        ("tag_coef", lambda a: a[:, :-1], "'tag_coef' is float32 of shape"),
        ("tag_coef", lambda a: a[:-1], "'tag_coef' is float32 of shape"),
        ("category_coef", lambda a: a.astype(np.int64), "'category_coef' is int64"),
        ("idf", lambda a: a[:-1], "'idf' is float64 of shape"),
        ("tag_intercept", lambda a: a[:, None], "'tag_intercept' is float64 of shape"),
        ("recurring", lambda a: a.astype(np.float64), "'recurring' is float64"),
        ("post_weights", lambda a: np.array(["x"] * len(a)), "'post_weights' is <U1"),
        ("category_intercept", None, "no array 'category_intercept'"),
    ],
)
def test_a_tampered_array_is_a_model_error(copy_of_saved, array, change, expected):
    arrays = saved_arrays(copy_of_saved)
    if change is None:
        del arrays[array]
    else:
        arrays[array] = change(arrays[array])
    replace_file(copy_of_saved, ARRAYS_FILE, npz_bytes(**arrays))
    error = assert_model_error_names(copy_of_saved, ARRAYS_FILE)
    assert expected in error.message


def test_a_compressed_archive_is_refused(copy_of_saved):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **saved_arrays(copy_of_saved))
    replace_file(copy_of_saved, ARRAYS_FILE, buffer.getvalue())
    error = assert_model_error_names(copy_of_saved, ARRAYS_FILE)
    assert "compressed" in error.message


def _sparse_bytes(matrix) -> bytes:
    buffer = io.BytesIO()
    sp.save_npz(buffer, matrix, compressed=False)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda m: m[:, :-1], "not csr float32"),
        (lambda m: m.astype(np.float64), "not csr float32"),
        (lambda m: m.tocsc(), "not csr float32"),
        # Indices past the matrix's columns: scipy's C++ code would read stray memory.
        (lambda m: sp.csr_matrix((m.data, m.indices + m.shape[1], m.indptr), shape=m.shape),
         "indices must be <"),
    ],
)
def test_a_tampered_sparse_matrix_is_a_model_error(copy_of_saved, change, expected):
    matrix = sp.load_npz(copy_of_saved / POSTINGS_FILE)
    replace_file(copy_of_saved, POSTINGS_FILE, _sparse_bytes(change(matrix)))
    error = assert_model_error_names(copy_of_saved, POSTINGS_FILE)
    assert expected in error.message


@pytest.mark.parametrize(
    ("edit", "wrong_file", "expected"),
    [
        (lambda p: p["suggester"]["tag_labels"].pop(), ARRAYS_FILE, "'tag_coef'"),
        (lambda p: p["vectorizer"]["terms"].pop(), ARRAYS_FILE, "'idf'"),
        (lambda p: p["neighbours"]["titles"].pop(), POSTINGS_FILE, "not csr float32"),
        (lambda p: p["suggester"]["category_labels"].pop(), PARAMS_FILE, "category_labels"),
        (lambda p: p["vectorizer"]["terms"].__setitem__(1, p["vectorizer"]["terms"][0]),
         PARAMS_FILE, "repeats a term"),
        (lambda p: p["neighbours"].update(k=0), PARAMS_FILE, "neighbours.k is below 1"),
        (lambda p: p["suggester"].update(max_tags="6"), PARAMS_FILE, "suggester.max_tags"),
        (lambda p: p["tag_model"].update(multilabel=False), PARAMS_FILE, "multi-label"),
        (lambda p: p.update(boilerplate=[]), PARAMS_FILE, "boilerplate is not a JSON object"),
        (lambda p: p["vectorizer"].update(ngram_range=[2, 1]), PARAMS_FILE, "ngram_range"),
        (lambda p: p["suggester"]["tag_words"].pop(), PARAMS_FILE, "suggester.tag_words"),
        (lambda p: p["suggester"]["tag_words"].__setitem__(0, "京都"), PARAMS_FILE,
         "suggester.tag_words"),
        (lambda p: p["suggester"].update(tag_mentions=[1.0]), PARAMS_FILE,
         "suggester.tag_mentions is not a list of 2 numbers"),
    ],
)
def test_tampered_settings_are_a_model_error(copy_of_saved, edit, wrong_file, expected):
    edit_params(copy_of_saved, edit)
    error = assert_model_error_names(copy_of_saved, wrong_file)
    assert expected in error.message


# Old and foreign cards -------------------------------------------------------------------


def test_an_old_format_3_model_is_refused_with_retrain(copy_of_saved):
    path = copy_of_saved / CARD_FILE
    card = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**card, "format_version": 3}), encoding="utf-8")
    with pytest.raises(ModelError, match="model format 3 is an older bunrui's") as info:
        load_model(str(copy_of_saved))
    assert "retrain it with 'bunrui train PATH --out DIR'" in info.value.message
    assert info.value.path == str(path)


@pytest.mark.parametrize("version", [None, 0, FORMAT_VERSION - 1, FORMAT_VERSION + 1, "1"])
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


@pytest.mark.parametrize("change, where", [
    ({"min_tags": "one"}, "min_tags"),
    ({"max_chars": [6000]}, "max_chars"),
    ({"surprise": 1}, "surprise"),
])
def test_a_cards_training_config_is_checked_field_by_field(copy_of_saved, change, where):
    path = copy_of_saved / CARD_FILE
    card = json.loads(path.read_text(encoding="utf-8"))
    card["training"]["config"].update(change)
    path.write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match=f"training config: {where}") as info:
        load_model(str(copy_of_saved))
    assert info.value.path == str(path)


def test_a_loaded_model_reads_its_settings_from_its_card(trained, saved):
    loaded, card = load_model(str(saved[0]))
    assert loaded.config == TrainingConfig.from_json(card.training.config)
    assert (loaded.min_tags, loaded.max_chars) == (trained[0].min_tags, trained[0].max_chars)
    assert loaded.report_ is None  # the facts of training are the card's


def test_a_plain_models_svms_and_their_calibration_round_trip(tmp_path):
    posts = load_corpus([JEKYLL]).posts
    suggester = Suggester(TrainingConfig(candidate="plain")).fit(posts)
    suggester.category_model_ = dataclasses.replace(suggester.category_model_, temperature_=2.5)
    suggester.tag_calibration_ = (3.0, -1.0)
    save_model(suggester, str(tmp_path), suggester.report_.card(suggester.config))
    loaded, _ = load_model(str(tmp_path))
    assert loaded.category_model_.temperature_ == 2.5
    assert loaded.tag_calibration_ == (3.0, -1.0)
    for name, _, _ in DRAFT_EXPECTATIONS:
        assert (loaded.suggest_text(draft(name), explain=3).as_dict()
                == suggester.suggest_text(draft(name), explain=3).as_dict())
