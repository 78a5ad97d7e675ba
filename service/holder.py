"""The model a service process answers with, and its atomic replacement on reload."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass

from bunrui.classifier import BunruiError, ModelError, Suggester, load_model
from bunrui.classifier.model.card import ModelCard

log = logging.getLogger("bunrui.service")

# A draft every model can answer: a reload proves the new model works before it serves.
_TRIAL_DRAFT = "モデルの読み込みを確かめるための短い下書きです。"
_GENERATION_FILE = "model-generation"


@dataclass(frozen=True)
class LoadedModel:
    """A loaded model and its card. Immutable: a request keeps the one it started with."""

    suggester: Suggester
    card: ModelCard
    loaded_at: dt.datetime
    generation: int


class ModelHolder:
    """Holds the current ``LoadedModel``; ``reload`` swaps it in one assignment.

    Requests read ``current`` once and use that object to the end, so a reload never
    changes a model under a request in flight. A failed load leaves ``current`` as it was.
    With several worker processes, ``run_dir`` holds a generation counter: the worker that
    reloads bumps it and the others follow (see ``follow``).
    """

    def __init__(self, folder: str, run_dir: str | None = None) -> None:
        self.folder = folder
        self.run_dir = run_dir
        self.current: LoadedModel | None = None
        self.problem: str | None = "the model is not loaded yet"
        self._lock = threading.Lock()

    def _load(self, generation: int) -> LoadedModel:
        suggester, card = load_model(self.folder)
        try:
            suggester.suggest_text(_TRIAL_DRAFT, explain=1)
        except Exception as exc:  # a model that loads but cannot answer must not serve
            raise ModelError(f"the model loads but cannot suggest ({type(exc).__name__}: "
                             f"{exc})", path=self.folder) from None
        return LoadedModel(suggester, card, dt.datetime.now(dt.UTC), generation)

    def load(self) -> bool:
        """Load the model at start-up; on failure keep serving 503s and remember why."""
        with self._lock:
            try:
                self.current = self._load(max(1, self._shared_generation()))
                self.problem = None
                return True
            except BunruiError as exc:
                self.problem = f"no model loaded: {exc}"
                log.error("%s", self.problem)
                return False

    def reload(self, *, generation: int | None = None) -> tuple[bool, str]:
        """Load the model folder again and swap it in; (ok, why) — the old one stays on failure.

        ``generation`` is given when following another worker's reload (nothing is
        announced then). Raises ``RuntimeError`` when another reload is running.
        """
        if not self._lock.acquire(blocking=False):
            raise RuntimeError("a reload is already running")
        announce = generation is None
        try:
            old = self.current
            if generation is None:
                generation = max(old.generation if old else 0, self._shared_generation()) + 1
            try:
                new = self._load(generation)
            except BunruiError as exc:
                still = "still serving the previous model" if old else "no model loaded"
                why = f"reload failed, {still}: {exc}"
                log.error("%s", why)
                return False, why
            self.current = new  # the swap: one reference assignment
            self.problem = None
            if announce:
                self._announce(generation)
            log.info("model reloaded from %s (generation %d)", self.folder, generation)
            return True, f"reloaded from the model folder (generation {generation})"
        finally:
            self._lock.release()

    # -- several workers -------------------------------------------------------------
    def _shared_generation(self) -> int:
        if not self.run_dir:
            return 0
        try:
            with open(os.path.join(self.run_dir, _GENERATION_FILE), encoding="ascii") as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def _announce(self, generation: int) -> None:
        if not self.run_dir:
            return
        path = os.path.join(self.run_dir, _GENERATION_FILE)
        tmp = f"{path}.{os.getpid()}"
        try:
            with open(tmp, "w", encoding="ascii") as f:
                f.write(str(generation))
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("cannot tell the other workers about the reload: %s", exc)

    def follow(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Reload whenever another worker announced a newer generation, until ``stop``."""
        tried = 0
        while not stop.wait(interval):
            shared = self._shared_generation()
            current = self.current.generation if self.current else 0
            if shared > max(current, tried):
                tried = shared  # a failed follow is logged once, not every second
                try:
                    self.reload(generation=shared)
                except RuntimeError:
                    tried = 0
