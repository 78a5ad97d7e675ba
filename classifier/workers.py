"""Worker processes: one loky pool for tokenizing and fitting, started ahead of need."""

from __future__ import annotations

import threading

from joblib import Parallel, delayed

_starting: threading.Thread | None = None


def _pool(n_jobs: int, **kwargs) -> Parallel:
    # The same pool arguments on every call: loky replaces its workers when they change,
    # and starting them costs over a second each (they import scikit-learn).
    # No memmaps: liblinear needs writable arrays.
    return Parallel(n_jobs=n_jobs, max_nbytes=None, **kwargs)


def parallel(n_jobs: int, **kwargs) -> Parallel:
    """A joblib ``Parallel`` over the shared worker processes."""
    if _starting is not None:
        _starting.join()  # one joblib call at a time
    return _pool(n_jobs, **kwargs)


def _ready() -> None:
    """Nothing: unpickling this task makes a worker import bunrui and scikit-learn."""


def start_workers(n_jobs: int) -> None:
    """Start ``n_jobs`` worker processes in the background, so that their start-up
    overlaps with reading posts; the next ``parallel(n_jobs)`` reuses them."""
    global _starting
    if n_jobs < 2 or (_starting is not None and _starting.is_alive()):
        return
    _starting = threading.Thread(
        target=lambda: _pool(n_jobs)(delayed(_ready)() for _ in range(n_jobs)), daemon=True)
    _starting.start()
