"""Knowing when a model folder is retrained: `suggest --watch` and the language server
load the model again then."""

from __future__ import annotations

import os

from bunrui.classifier.model.persistence import CARD_FILE


def stamp(path: str) -> tuple[int, int] | None:
    """What changes when a file is saved (None: no such file, or replaced mid-save)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


class Retrained:
    """Says once per retraining that the model in ``folder`` is new: its card is written
    last, so a changed card is a finished save."""

    def __init__(self, folder: str) -> None:
        self.card_path = os.path.join(folder, CARD_FILE)
        # Stamped before the model is loaded: a retraining that ends during the load is
        # not missed.
        self.stamp = stamp(self.card_path)

    def __call__(self) -> bool:
        current = stamp(self.card_path)
        if current == self.stamp:
            return False
        self.stamp = current
        return True
