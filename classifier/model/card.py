"""The model card (``metadata.json``): what a model was trained on, what it chose, how it did.

One typed record, read and written only here. ``FORMAT_VERSION`` is its contract with the
files beside it: a card of another version is refused, never half-read.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from importlib import metadata
from typing import Any

from ..corpus.labels import label_key
from ..errors import ModelError

CARD_FILE = "metadata.json"
FORMAT_VERSION = 6  # bump when what is saved changes shape or meaning (4: no pickle;
# 5: candidates chosen per blog, calibrated scores, conventions; 6: the tags' mentions)


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in ("bunrui", "scikit-learn", "fugashi", "unidic-lite", "numpy", "scipy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "unknown"
    return versions


@dataclass(frozen=True)
class TrainingFacts:
    """What the model learned from."""

    posts: int
    date_range: list[str | None]
    fingerprint: str
    config: dict[str, Any]  # TrainingConfig as JSON
    sources: list[str] | None = None  # the paths' last parts, as given to `bunrui train`
    skipped: int | None = None  # files that could not be read


@dataclass(frozen=True)
class ModelCard:
    """A model's card. ``labels`` counts the posts of each category and tag learned;
    ``validation`` holds the choices made on held-out posts; ``files`` names each data
    file's SHA-256, so a folder caught halfway through a save is refused."""

    training: TrainingFacts
    labels: dict[str, dict[str, int]]
    rare_tags: dict[str, int]
    tag_threshold: float
    max_tags: int
    half_life_days: dict[str, float | None]
    validation: dict[str, Any]
    evaluation: dict[str, Any] | None = None
    # The blog's habits learned from its posts (see conventions.py).
    conventions: dict[str, Any] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    created: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"))
    versions: dict[str, str] = field(default_factory=library_versions)
    files: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A name for the model that changes whenever it is retrained."""
        return f"{self.created}|{self.training.fingerprint}"

    def known_share(self, labels: Iterable[str]) -> float | None:
        """The share of ``labels`` (a blog's categories and tags, repeats counted) that the
        model met in training, rare tags included, spelling folded; None for no labels."""
        known = {label_key(label) for counts in self.labels.values() for label in counts}
        known.update(label_key(tag) for tag in self.rare_tags)
        found = [label_key(label) in known for label in labels]
        return sum(found) / len(found) if found else None

    def as_json(self) -> dict[str, Any]:
        """The card as JSON data in the file's order; what is unknown is left out."""
        data = asdict(self)
        for name in ("sources", "skipped"):
            if data["training"][name] is None:
                del data["training"][name]
        head = {k: data.pop(k) for k in ("format_version", "created", "versions")}
        files = data.pop("files")
        if data["evaluation"] is None:
            del data["evaluation"]
        return {**head, **data, "files": files}

    def dumps(self) -> str:
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, data: Any, path: str) -> ModelCard:
        """A card from JSON data; ``ModelError`` naming what is missing or of a wrong type."""
        if not isinstance(data, dict):
            raise ModelError("unreadable model card: not a JSON object", path=path)
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ModelError(
                f"model format {version!r} is not the format this bunrui reads "
                f"({FORMAT_VERSION}); retrain it with this version", path=path)
        try:
            training = TrainingFacts(**_known(TrainingFacts, data.get("training")))
            card = cls(**{**_known(cls, data), "training": training})
        except TypeError as exc:  # a field missing, or a part that is not an object
            raise ModelError(f"unreadable model card: {exc}", path=path) from None
        _check_types(card, path)
        return card


def _known(kind: type, data: Any) -> dict[str, Any]:
    """The fields of ``kind`` in ``data`` (a newer bunrui's card may hold more)."""
    if not isinstance(data, dict):
        raise TypeError(f"{kind.__name__} is not a JSON object")
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in data.items() if k in names}


_TYPES = {"created": str, "versions": dict, "labels": dict, "rare_tags": dict,
          "tag_threshold": (int, float), "max_tags": int, "half_life_days": dict,
          "validation": dict, "evaluation": (dict, type(None)), "files": dict,
          "conventions": dict}


def _check_types(card: ModelCard, path: str) -> None:
    for name, kinds in _TYPES.items():
        value = getattr(card, name)
        if not isinstance(value, kinds) or isinstance(value, bool):
            raise ModelError(f"unreadable model card: '{name}' is a {type(value).__name__}",
                             path=path)
    facts = card.training
    if not (isinstance(facts.posts, int) and isinstance(facts.fingerprint, str)
            and isinstance(facts.config, dict) and isinstance(facts.date_range, list)):
        raise ModelError("unreadable model card: 'training' is not as bunrui writes it",
                         path=path)
