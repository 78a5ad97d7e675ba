"""Saving and loading models as plain data (NumPy arrays and JSON) beside a metadata.json card.

A model folder holds no code. Arrays are read with ``allow_pickle=False`` and everything
else is JSON, so loading a folder from an untrusted pull request cannot run anything.
Every array's dtype and shape is checked against the JSON before a model is built from
it: a damaged or tampered file is a ``ModelError`` naming it, never a wrong index later.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..corpus.files import write_atomic
from ..errors import ModelError
from ..text.extract import BoilerplateFilter
from .card import CARD_FILE, FORMAT_VERSION, ModelCard, library_versions
from .config import TrainingConfig
from .datafiles import Arrays, JsonPart, ModelFiles, check, digest
from .features import DocumentVectorizer
from .fitted import Fitted
from .linear import LinearModel
from .mentions import NO_MENTIONS
from .named_tags import NamedTags
from .neighbours import PostIndex
from .new_tags import NewTags
from .suggest import Suggester

PARAMS_FILE = "model.json"  # settings, labels, vocabulary, post titles
ARRAYS_FILE = "arrays.npz"  # dense arrays: coefficients, idf, boilerplate fingerprints
POSTINGS_FILE = "postings.npz"  # sparse terms x posts, for the similar posts
POST_TAGS_FILE = "post_tags.npz"  # sparse posts x tags, for the similar posts' votes
LEGACY_FILE = "model.joblib"  # formats 1-3: a pickle, never loaded
FIRST_PICKLE_FREE_FORMAT = 4

_FLOATS = (np.float32, np.float64)


# Saving ----------------------------------------------------------------------------------


def _state(s: Suggester) -> tuple[dict, dict[str, np.ndarray], dict[str, sp.csr_matrix]]:
    """(JSON settings, dense arrays, sparse matrices by file name) of a suggester."""
    vectorizer, boilerplate = s.vectorizer_, s.boilerplate_
    params: dict[str, Any] = {
        "suggester": {
            "category_labels": list(map(str, s.category_labels_)),
            "tag_labels": list(map(str, s.tag_labels_)),
            "tag_threshold": float(s.tag_threshold_), "max_tags": int(s.max_tags_),
            "tag_mix": float(s.tag_mix_), "tag_blend": float(s.tag_blend_),
            "tag_calibration": list(s.tag_calibration_),
            "tag_words": [list(words) for words in s.tag_words_],
            "tag_mentions": list(s.tag_mentions_),
            "named_tags": ({"labels": list(s.named_tags_.labels),
                            "words": [list(w) for w in s.named_tags_.words],
                            "rate": s.named_tags_.rate} if s.named_tags_ else None),
            "new_tags": ({"known": sorted(s.new_tags_.known), "rate": s.new_tags_.rate,
                          "lowercase": s.new_tags_.lowercase} if s.new_tags_ else None),
        },
        "boilerplate": {"min_share": boilerplate.min_share, "min_posts": boilerplate.min_posts,
                        "threshold": int(boilerplate.threshold_)},
        "vectorizer": {
            "title_weight": vectorizer.title_weight, "min_df": vectorizer.min_df,
            "max_df": vectorizer.max_df, "ngram_range": list(vectorizer.ngram_range),
            "max_features": vectorizer.max_features, "terms": vectorizer.vocabulary.tolist(),
        },
        "category_model": None, "tag_model": None, "neighbours": None, "plain_tag_model": None,
    }
    arrays = {"recurring": np.array(sorted(boilerplate.recurring_), dtype=np.uint64),
              "idf": vectorizer.idf_}
    sparse = {}
    # Only what prediction reads is kept; how a model was fitted is in the card's config.
    if s.category_model_ is not None:
        params["category_model"] = {
            "classes": [str(c) for c in s.category_model_.classes_],
            "kind": s.category_model_.kind,
            "temperature": float(s.category_model_.temperature_)}
        arrays["category_coef"] = s.category_model_.coef_
        arrays["category_intercept"] = s.category_model_.intercept_
    if s.tag_model_ is not None:
        params["tag_model"] = {"multilabel": True}
        arrays["tag_coef"] = s.tag_model_.coef_
        arrays["tag_intercept"] = s.tag_model_.intercept_
    if s.plain_tag_model_ is not None:
        params["plain_tag_model"] = {"multilabel": True}
        arrays["plain_tag_coef"] = s.plain_tag_model_.coef_
        arrays["plain_tag_intercept"] = s.plain_tag_model_.intercept_
    if s.neighbours_ is not None:
        params["neighbours"] = {"k": int(s.neighbours_.k), "titles": list(s.neighbours_.titles)}
        arrays["post_weights"] = s.neighbours_.weights
        sparse = {POSTINGS_FILE: s.neighbours_.postings, POST_TAGS_FILE: s.neighbours_.Y}
    return params, arrays, sparse


def _files(suggester: Suggester) -> dict[str, bytes]:
    """The model's files by name, as bytes, serialized before any is written."""
    params, arrays, sparse = _state(suggester)
    files = {PARAMS_FILE: (json.dumps(params, ensure_ascii=False, indent=1) + "\n").encode()}
    buffer = io.BytesIO()
    # Uncompressed: compressing took longer than the rest of saving, and loading slows.
    np.savez(buffer, **arrays)
    files[ARRAYS_FILE] = buffer.getvalue()
    for name, matrix in sparse.items():
        buffer = io.BytesIO()
        sp.save_npz(buffer, matrix, compressed=False)
        files[name] = buffer.getvalue()
    return files


def save_model(suggester: Suggester, folder: str, card: ModelCard) -> ModelCard:
    """Write the model and its card to ``folder``, the card dated now; returns it as written.

    Each file is written to a temporary name and renamed into place, the card last. The
    card names each file's SHA-256, so a reader that catches a save halfway sees files
    that do not match the card (a ``ModelError``), never a mix of two models.
    """
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create the model folder: {exc.strerror}", path=folder) from None
    files = _files(suggester)
    card = replace(card, format_version=FORMAT_VERSION,
                   created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                   versions=library_versions(),
                   files={name: digest(data) for name, data in files.items()})
    # Serialized before anything is written: a card that cannot be written must not
    # leave a new model under the old card.
    text = card.dumps()
    # An older model's pickle would stop the folder from loading, and a matrix the new
    # model has no use for would only mislead: both go before the card is written.
    stale = {LEGACY_FILE, POSTINGS_FILE, POST_TAGS_FILE} - set(files)
    try:
        for name, data in files.items():
            write_atomic(os.path.join(folder, name), data)
        for name in stale:
            try:
                os.remove(os.path.join(folder, name))
            except FileNotFoundError:
                pass
        write_atomic(os.path.join(folder, CARD_FILE), text.encode())
    except OSError as exc:
        raise ModelError(f"cannot write the model: {exc.strerror}", path=folder) from None
    # As written: tuples become lists, as a reader will see them.
    return ModelCard.from_json(json.loads(text), os.path.join(folder, CARD_FILE))


# Loading ---------------------------------------------------------------------------------


def read_card(folder: str) -> ModelCard:
    """The model card of the model in ``folder``; ``ModelError`` if absent or unreadable."""
    path = os.path.join(folder, CARD_FILE)
    if not os.path.isdir(folder):
        raise ModelError("no model here (the folder does not exist); train one with "
                         "'bunrui train PATH --out DIR'", path=folder)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise ModelError(f"not a bunrui model: {CARD_FILE} is missing", path=folder) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"unreadable model card: {exc}", path=path) from None
    version = data.get("format_version") if isinstance(data, dict) else None
    if type(version) is int and 0 < version < FIRST_PICKLE_FREE_FORMAT:
        raise ModelError(f"model format {version} is an older bunrui's, saved as a pickle "
                         f"({LEGACY_FILE}), which this version never loads; retrain it with "
                         "'bunrui train PATH --out DIR'", path=path)
    return ModelCard.from_json(data, path)


def _boilerplate(params: JsonPart, arrays: Arrays) -> BoilerplateFilter:
    boilerplate = BoilerplateFilter(min_share=params.number("min_share"),
                                    min_posts=params.integer("min_posts"))
    boilerplate.threshold_ = params.integer("threshold")
    # Python ints, as fitting leaves them: numpy's would hash the same but print otherwise
    # in the cache keys made from them.
    boilerplate.recurring_ = frozenset(arrays.get("recurring", np.uint64, (None,)).tolist())
    return boilerplate


def _vectorizer(params: JsonPart, arrays: Arrays) -> DocumentVectorizer:
    ngram_range = params.integers("ngram_range")
    check(len(ngram_range) == 2 and 1 <= ngram_range[0] <= ngram_range[1],
           "vectorizer.ngram_range is not a range of n-gram lengths", params.path)
    vectorizer = DocumentVectorizer(
        title_weight=params.integer("title_weight"), min_df=params.number("min_df"),
        max_df=params.number("max_df"), ngram_range=tuple(ngram_range),
        max_features=params.integer("max_features", optional=True))
    terms = params.strings("terms")
    check(terms and len(set(terms)) == len(terms),
           "vectorizer.terms is empty or repeats a term", params.path)
    return vectorizer.restore(terms, arrays.get("idf", _FLOATS, (len(terms),)))


def _category_model(params: JsonPart, arrays: Arrays, n_terms: int) -> LinearModel:
    classes = params.strings("classes")
    check(len(classes) >= 2, "category_model.classes has fewer than two", params.path)
    rows = 1 if len(classes) == 2 else len(classes)  # a binary model keeps one row
    kind = params.choice("kind", ("logistic", "svm"))
    return LinearModel(kind, np.array(classes),
                       arrays.get("category_coef", _FLOATS, (rows, n_terms)),
                       arrays.get("category_intercept", _FLOATS, (rows,)),
                       float(params.number("temperature")) if kind == "svm" else 1.0)


def _tag_model(params: JsonPart, arrays: Arrays, n_tags: int, n_terms: int,
               prefix: str = "tag") -> LinearModel:
    check(params.flag("multilabel"), f"{prefix}_model is not multi-label", params.path)
    # Column-major, as fitting leaves it (see LinearModel); np.save keeps the order, so
    # this copies nothing for a model this module saved.
    return LinearModel("tags", np.arange(n_tags),
                       np.asfortranarray(arrays.get(f"{prefix}_coef", _FLOATS, (n_tags, n_terms))),
                       arrays.get(f"{prefix}_intercept", _FLOATS, (n_tags,)))


def _neighbours(params: JsonPart, arrays: Arrays, files: ModelFiles, n_tags: int,
                n_terms: int) -> PostIndex:
    titles = params.strings("titles")
    n_posts = len(titles)
    return PostIndex.from_postings(
        files.sparse(POSTINGS_FILE, (n_terms, n_posts)),
        files.sparse(POST_TAGS_FILE, (n_posts, n_tags)),
        arrays.get("post_weights", np.float32, (n_posts,)), titles,
        params.integer("k", minimum=1))


def _named_tags(params: JsonPart) -> NamedTags:
    labels = params.strings("labels")
    rate = params.number("rate")
    check(0 <= rate <= 1, f"{params.where}rate is not within [0, 1]", params.path)
    return NamedTags(tuple(labels), tuple(map(tuple, params.string_lists("words", len(labels)))),
                     float(rate))


def _new_tags(params: JsonPart) -> NewTags:
    rate = params.number("rate")
    check(0 <= rate <= 1, f"{params.where}rate is not within [0, 1]", params.path)
    return NewTags(frozenset(params.strings("known")), float(rate), params.flag("lowercase"))


def load_model(folder: str) -> tuple[Suggester, ModelCard]:
    """Load a model saved by ``save_model``: JSON and arrays only, never a pickle."""
    card = read_card(folder)
    if os.path.lexists(os.path.join(folder, LEGACY_FILE)):
        raise ModelError(f"the folder holds {LEGACY_FILE}, a pickled model of an older bunrui, "
                         "which is never loaded (a pickle can run code); retrain the model "
                         "with 'bunrui train PATH --out DIR'", path=folder)
    files = ModelFiles(folder, card.files)
    params = files.json(PARAMS_FILE)
    arrays = files.arrays(ARRAYS_FILE)
    top = params.section("suggester")
    category_labels, tag_labels = top.strings("category_labels"), top.strings("tag_labels")
    vectorizer = _vectorizer(params.section("vectorizer"), arrays)
    n_terms, n_tags = len(vectorizer.vocabulary), len(tag_labels)
    category = params.section("category_model", optional=True)
    category_model = _category_model(category, arrays, n_terms) if category else None
    check(len(category_labels) == (len(category_model.classes_) if category_model else 0),
           "suggester.category_labels are not the category model's classes", params.path)
    tags = params.section("tag_model", optional=True)
    tag_model = _tag_model(tags, arrays, n_tags, n_terms) if tags else None
    index = params.section("neighbours", optional=True)
    plain = params.section("plain_tag_model", optional=True)
    # Absent in an older model's file.
    named = top.section("named_tags", optional=True)
    new = top.section("new_tags", optional=True)
    fitted = Fitted(
        boilerplate=_boilerplate(params.section("boilerplate"), arrays),
        vectorizer=vectorizer,
        category_model=category_model, category_labels=category_labels,
        tag_model=tag_model, tag_labels=tag_labels,
        tag_threshold=top.number("tag_threshold"), max_tags=top.integer("max_tags"),
        neighbours=_neighbours(index, arrays, files, n_tags, n_terms) if index else None,
        tag_mix=top.number("tag_mix"),
        plain_tag_model=_tag_model(plain, arrays, n_tags, n_terms, "plain_tag") if plain else None,
        tag_blend=top.number("tag_blend") if plain else 0.0,
        tag_calibration=tuple(top.floats("tag_calibration", [1.0, 0.0])),
        tag_words=tuple(map(tuple, top.string_lists("tag_words", len(tag_labels)))),
        tag_mentions=tuple(top.floats("tag_mentions", list(NO_MENTIONS))),
        named_tags=_named_tags(named) if named else None,
        new_tags=_new_tags(new) if new else None,
    )
    # min_tags and max_chars, read when suggesting, are the card's config.
    config = TrainingConfig.from_json(card.training.config, os.path.join(folder, CARD_FILE))
    return Suggester.restore(config, fitted), card
