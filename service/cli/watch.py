"""Drafts watched as an editor saves them: each new or changed file is handed on once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from bunrui.classifier.corpus.posts import iter_post_paths

from ..retrain import stamp

# Polling, not OS file events: it needs no extra package, behaves the same on every
# system and editor (vim's rename-on-save included), and a few stat calls every half
# second cost nothing next to a suggestion.
INTERVAL = 0.5


def _stamps(paths: Sequence[str]) -> dict[str, tuple[int, int]]:
    # A draft missing now (deleted, or replaced mid-save) is seen again on the next round.
    found = {path: stamp(path) for path in iter_post_paths(paths)}
    return {path: s for path, s in found.items() if s is not None}


def watch(paths: Sequence[str], on_change: Callable[[str], object], *,
          interval: float = INTERVAL, stop: threading.Event | None = None,
          refresh: Callable[[], bool] | None = None) -> None:
    """Call ``on_change`` for every draft file under ``paths`` now, then again each time
    one is saved or a new one appears, until ``stop`` is set (or forever). When
    ``refresh()``, called each round, says True (a new model), every draft is handed on
    again."""
    stop = stop or threading.Event()
    seen: dict[str, tuple[int, int]] = {}
    while True:
        if refresh is not None and refresh():
            seen = {}
        current = _stamps(paths)
        for path, saved in current.items():
            if seen.get(path) != saved:
                on_change(path)
        seen = current
        if stop.wait(interval):
            return
