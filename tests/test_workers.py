"""Parallel work: the main process and worker processes, started ahead of need."""

from __future__ import annotations

import os

import numpy as np
import pytest

from classifier.estimators import TagClassifier
from classifier.tokens import tokenize_many
from classifier.workers import run, start_workers


@pytest.mark.parametrize("n_jobs", [1, 2, 3])
@pytest.mark.parametrize("n_tasks", [0, 1, 2, 7])
def test_results_come_in_order(n_jobs, n_tasks):
    assert list(run(pow, [(i, 2) for i in range(n_tasks)], n_jobs)) == [
        i**2 for i in range(n_tasks)]


def test_the_main_process_does_every_nth_task():
    pids = list(run(os.getpid, [()] * 7, 3))
    assert [i for i, pid in enumerate(pids) if pid == os.getpid()] == [0, 3, 6]
    assert len(set(pids)) <= 3


def test_a_failing_task_raises():
    with pytest.raises(ZeroDivisionError):
        list(run(divmod, [(1, 1), (1, 0), (1, 1), (1, 1)], 2))
    with pytest.raises(ZeroDivisionError):
        list(run(divmod, [(1, 0), (1, 1)], 2))


def test_tokenizing_and_fitting_share_the_started_workers():
    workers: set[int] = set()

    def note_workers() -> None:
        workers.update(run(os.getpid, [()] * 4, 2))

    start_workers(2)
    note_workers()
    # Enough texts for several chunks, so tokenizing really uses a worker.
    tokenize_many([f"{i}回目の京都旅行でPythonを書いた" for i in range(140)], n_jobs=2)
    note_workers()
    rng = np.random.default_rng(0)
    TagClassifier(n_jobs=2).fit(rng.random((40, 5)), rng.integers(0, 2, (40, 3)))
    note_workers()
    # A worker replaced between calls (pool arguments that differ) would show a new id.
    assert len(workers - {os.getpid()}) == 1
