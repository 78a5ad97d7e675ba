"""Saving and loading models: joblib artifacts and a metadata.json card, written atomically."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import platform
from importlib import metadata
from typing import Any

import joblib

from .errors import ModelError
from .files import write_atomic
from .suggest import Suggester

MODEL_FILE = "model.joblib"
CARD_FILE = "metadata.json"
FORMAT_VERSION = 3  # bump when what is pickled changes shape or meaning (3: post index)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("bunrui", "scikit-learn", "fugashi", "unidic-lite", "joblib", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


def save_model(suggester: Suggester, folder: str, card: dict[str, Any]) -> dict[str, Any]:
    """Write the model and its card to ``folder``; returns the card as written.

    Each file is written to a temporary name and renamed into place, the card last, so a
    reader never sees a half-written model under a complete card.
    """
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create the model folder: {exc.strerror}", path=folder) from None
    card = {
        "format_version": FORMAT_VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "versions": library_versions(),
        **card,
    }
    # Serialized before anything is written: a card that cannot be written must not
    # leave a new model under the old card.
    text = json.dumps(card, ensure_ascii=False, indent=2) + "\n"
    try:
        model = io.BytesIO()
        # Uncompressed: the float32 coefficients that make most of a model shrink by a
        # tenth at most, and compressing took longer than the rest of saving.
        joblib.dump(suggester, model)
        write_atomic(os.path.join(folder, MODEL_FILE), model.getvalue())
        write_atomic(os.path.join(folder, CARD_FILE), text.encode())
    except OSError as exc:
        raise ModelError(f"cannot write the model: {exc.strerror}", path=folder) from None
    return json.loads(text)  # as written: tuples become lists, as a reader will see them


def read_card(folder: str) -> dict[str, Any]:
    """The model card of the model in ``folder``; ``ModelError`` if absent or unreadable."""
    path = os.path.join(folder, CARD_FILE)
    if not os.path.isdir(folder):
        raise ModelError("no model here (the folder does not exist); train one with "
                         "'bunrui train PATH --out DIR'", path=folder)
    try:
        with open(path, encoding="utf-8") as handle:
            card = json.load(handle)
    except FileNotFoundError:
        raise ModelError(f"not a bunrui model: {CARD_FILE} is missing", path=folder) from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"unreadable model card: {exc}", path=path) from None
    if not isinstance(card, dict):
        raise ModelError("unreadable model card: not a JSON object", path=path)
    if card.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"model format {card.get('format_version')!r} is not the format this bunrui reads "
            f"({FORMAT_VERSION}); retrain it with this version", path=path)
    return card


def load_model(folder: str) -> tuple[Suggester, dict[str, Any]]:
    """Load a model saved by ``save_model``. Load only models you trust: joblib is pickle."""
    card = read_card(folder)
    path = os.path.join(folder, MODEL_FILE)
    if not os.path.isfile(path):
        raise ModelError(f"{MODEL_FILE} is missing", path=folder)
    try:
        suggester = joblib.load(path)
    except Exception as exc:  # a truncated or foreign pickle can raise nearly anything
        raise ModelError(f"corrupt or incompatible model file ({type(exc).__name__}: {exc}); "
                         "retrain it", path=path) from None
    if not isinstance(suggester, Suggester):
        raise ModelError("the model file does not hold a bunrui model", path=path)
    return suggester, card
