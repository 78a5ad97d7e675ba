"""What a document is read against: the model and the taxonomy, found as `bunrui check`
finds them (overridable by the editor's settings), and the model's reading of drafts.

All of it runs on the server's one model thread: the MeCab tagger is not shared.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bunrui.classifier import BunruiError, Post, Suggestion, load_model
from bunrui.classifier.check.findings import ModelScores
from bunrui.classifier.check.scoring import model_scores
from bunrui.classifier.corpus.posts import iter_post_paths
from bunrui.classifier.model.persistence import CARD_FILE
from bunrui.classifier.model.series import label_of
from bunrui.classifier.model.suggest import Scored
from bunrui.classifier.taxonomy import (
    JEKYLL_CONFIG,
    TAXONOMY_FILE,
    Taxonomy,
    find_site_file,
    resolve_taxonomy,
    site_root,
)
from bunrui.classifier.text.tokens import map_dictionary

from ..bundled import default_model, refusal
from ..retrain import Retrained, stamp

# Terms shown for a label, as `bunrui suggest --explain 5` shows them.
EXPLAIN = 5
# Readings kept: a draft being edited in its front matter is read once, not per keystroke.
_READINGS = 16


@dataclass(frozen=True)
class Settings:
    """The editor's settings (``bunrui.model``, ``bunrui.taxonomy``); None: as `check`."""

    model: str | None = None
    taxonomy: str | None = None

    @classmethod
    def read(cls, options: object, root: str | None) -> Settings:
        """Settings from initialization options or a workspace configuration, either
        ``{"model": …}`` or ``{"bunrui": {"model": …}}``; relative paths from ``root``."""
        if isinstance(options, Mapping) and isinstance(options.get("bunrui"), Mapping):
            options = options["bunrui"]
        if not isinstance(options, Mapping):
            return cls()

        def path(name: str) -> str | None:
            value = options.get(name)
            if not isinstance(value, str) or not value.strip():
                return None
            value = os.path.expanduser(value.strip())
            return os.path.join(root, value) if root and not os.path.isabs(value) else value

        return cls(path("model"), path("taxonomy"))


@dataclass
class Reading:
    """The model's reading of one draft: every label's score, its suggestion (before the
    taxonomy), and the feature row the words behind a label come from."""

    scores: ModelScores
    suggestion: Suggestion
    row: object
    suggester: object
    _terms: dict = field(default_factory=dict)

    def terms(self, kind: str, label: str) -> list[Scored]:
        """The words of the draft that weigh most for ``label`` ("category" or "tags")."""
        if (kind, label) not in self._terms:
            model_label = label_of(label, self.suggester.tag_labels_) if kind == "tags" else label
            self._terms[kind, label] = self.suggester.terms(self.row, kind, model_label, EXPLAIN)
        return self._terms[kind, label]


class Model:
    """A model folder, loaded again once it is retrained, and its readings of drafts."""

    def __init__(self, folder: str, log: Callable[[str], None]) -> None:
        self.folder = folder
        self.log = log
        self.retrained = Retrained(folder)
        self.suggester = self.card = None
        self.readings: OrderedDict[tuple, Reading] = OrderedDict()
        self._load()

    def _load(self) -> bool:
        try:
            self.suggester, self.card = load_model(self.folder)
        except BunruiError as exc:
            kept = " (keeping the model loaded before)" if self.suggester else ""
            self.log(f"{exc}{kept}")
            return False
        self.readings.clear()
        return True

    def refresh(self) -> bool:
        """Load the model again if it was retrained; True when a new one is loaded."""
        if not (self.retrained() and self._load()):
            return False
        self.log(f"{self.folder}: retrained model loaded (created {self.card.created})")
        return True

    def read(self, post: Post) -> Reading | None:
        """The model's reading of ``post``; None without a model or for an empty draft."""
        if self.suggester is None or not (post.title.strip() or post.body.strip()):
            return None
        key = (post.title, post.body, post.date)
        if key in self.readings:
            self.readings.move_to_end(key)
            return self.readings[key]
        s = self.suggester
        docs = s.documents([post])
        scored = cats, tags, X = s.score(docs)
        scores = model_scores(s, cats[0] if cats is not None else (),
                              tags[0] if tags is not None else (), post.date)
        suggestion = s.suggestions([post], docs, scored, explain=EXPLAIN)[0]
        self.readings[key] = Reading(scores, suggestion, X[0], s)
        while len(self.readings) > _READINGS:
            self.readings.popitem(last=False)
        return self.readings[key]


class Blog:
    """The model and taxonomies the server reads documents against."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.settings = Settings()
        self._model: Model | None = None
        self._missing: str | None = None  # the bundled model's folder, said to be missing
        self._bundled: dict[tuple[str, str], bool] = {}  # does it serve a site root's blog
        self._taxonomies: dict[str | None, tuple[tuple, Taxonomy]] = {}  # by folder

    def model(self, path: str | None = None) -> Model | None:
        """The model of the settings, else the bundled one when present and, as in `check`,
        the blog of the document at ``path`` is one it may serve (see ``bundled``)."""
        folder = self.settings.model or default_model()
        if self._model is None or self._model.folder != folder:
            if self.settings.model is None and not os.path.isfile(
                    os.path.join(folder, CARD_FILE)):
                if self._missing != folder:
                    self._missing = folder
                    self.log(f"no model at {folder}: no suggestions, and the model-based "
                             "rules are skipped (the setting bunrui.model names one)")
                return None
            self._model = Model(folder, self.log)
            # On this (the model) thread, whose tagger reads every draft: its memory is
            # then flat from the start instead of growing with each new word for hours.
            map_dictionary()
        if self.settings.model is None and path is not None and not self._serves(path):
            return None
        return self._model

    def _serves(self, path: str) -> bool:
        """Whether the bundled model serves the blog of ``path``: judged once per site
        root, on its posts' labels."""
        card = self._model.card
        if card is None:  # the folder could not be loaded: nothing is read with it anyway
            return True
        root = site_root(path)
        key = (root, card.key)
        if key not in self._bundled:
            problem = refusal(card, list(iter_post_paths([root])))
            if problem:
                self.log(f"{problem} ({root}): no suggestions, and the model-based rules are "
                         "skipped (the setting bunrui.model names a model of this blog)")
            self._bundled[key] = problem is None
        return self._bundled[key]

    def refresh(self) -> bool:
        """Load the model again if it was retrained; True when a new one is loaded."""
        return self._model is not None and self._model.refresh()

    def taxonomy(self, path: str | None, model: Model | None) -> Taxonomy:
        """The taxonomy of the document at ``path``, found from its folder; read again
        when a file it comes from is saved (an edited bunrui.toml counts at once)."""
        start = os.path.dirname(path) if path else None
        card = model.card if model else None
        files = [self.settings.taxonomy] if self.settings.taxonomy else []
        if start is not None:
            files += [find_site_file(start, TAXONOMY_FILE), find_site_file(start, JEKYLL_CONFIG)]
        key = (self.settings.taxonomy, card.key if card else None,
               tuple((f, stamp(f)) for f in files if f))
        known = self._taxonomies.get(start)
        if known is None or known[0] != key:
            known = self._taxonomies[start] = (
                key, resolve_taxonomy(self.settings.taxonomy, start=start, card=card))
        return known[1]
