"""The worker processes: started ahead of need, shared by tokenizing and fitting."""

from __future__ import annotations

import os

import numpy as np
from joblib import delayed

from classifier.estimators import TagClassifier
from classifier.tokens import tokenize_many
from classifier.workers import parallel, start_workers


def test_tokenizing_and_fitting_share_the_started_workers():
    seen: set[int] = set()

    def note_workers() -> None:
        seen.update(parallel(2)(delayed(os.getpid)() for _ in range(4)))

    start_workers(2)
    note_workers()
    # Enough texts for several chunks, so tokenizing really uses the workers.
    texts = [f"{i}回目の京都旅行でPythonを書いた" for i in range(140)]
    tokenize_many(texts, n_jobs=2)
    note_workers()
    rng = np.random.default_rng(0)
    X, Y = rng.random((40, 5)), rng.integers(0, 2, (40, 3))
    TagClassifier(n_jobs=2).fit(X, Y)
    note_workers()
    # Workers replaced between calls (pool arguments that differ) would show new ids.
    assert len(seen) <= 2
    assert os.getpid() not in seen
