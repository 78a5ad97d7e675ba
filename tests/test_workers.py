"""Parallel work: the main process and worker processes, started ahead of need."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from bunrui.classifier.model.estimators import TagClassifier
from bunrui.classifier.text.tokens import tokenize_many
from bunrui.classifier.workers import run, start_workers


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


def _gone(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` has exited (or is a zombie) within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                if handle.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_workers_end_when_their_parent_is_killed():
    script = ("import os, signal\n"
              "from bunrui.classifier.workers import run\n"
              "pids = set(run(os.getpid, [()] * 8, 3)) - {os.getpid()}\n"
              "print(*pids, flush=True)\n"
              "os.kill(os.getpid(), signal.SIGKILL)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    workers = [int(pid) for pid in done.stdout.split()]
    assert workers and done.returncode == -signal.SIGKILL
    assert all(_gone(pid, 10) for pid in workers)
