"""Parallel work: the main process and ``n_jobs - 1`` worker processes, started ahead of need."""

from __future__ import annotations

import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator, Sequence

from joblib.externals.loky import get_reusable_executor

# One BLAS thread in a worker: the main process and the workers already take a core each.
_WORKER_ENV = dict.fromkeys(("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1")


def _pool(n_workers: int):
    # The same arguments on every call: loky keeps its workers only then, and starting one
    # costs over a second of CPU (it imports scikit-learn).
    return get_reusable_executor(max_workers=n_workers, timeout=300, env=_WORKER_ENV,
                                 initializer=_follow_parent, initargs=(os.getpid(),))


def _follow_parent(parent: int) -> None:
    """In a worker: exit once ``parent``, the process that started it, is gone.

    A parent killed outright (SIGKILL, the OOM killer) cannot stop its workers, and loky's
    would wait out their idle timeout, minutes, holding memory. The parent's id is passed
    in: it may have died while this worker was starting.
    """
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="bunrui-follow-parent", daemon=True).start()


def _unpickled(function: Callable, task: bytes):
    return function(*pickle.loads(task))


def _ready() -> None:
    """Import what the tasks of a fit need (unpickling this task imports bunrui), ahead of
    the first: scikit-learn takes over a second, which overlaps the main process's work."""
    import sklearn.linear_model  # noqa: F401
    import sklearn.svm  # noqa: F401


def start_workers(n_jobs: int) -> None:
    """Start the worker processes of ``run(..., n_jobs)``; returns at once, and their
    start-up overlaps with whatever comes before ``run``."""
    if n_jobs > 1:
        pool = _pool(n_jobs - 1)
        for _ in range(n_jobs - 1):
            pool.submit(_ready)


def run(function: Callable, tasks: Sequence[tuple], n_jobs: int = 1) -> Iterator:
    """``function(*task)`` for each task, yielded in order.

    The main process does every ``n_jobs``-th task, the others go to ``n_jobs - 1``
    worker processes: one process fewer to start than ``n_jobs`` workers, and the main
    process works instead of waiting. While a worker's result is not ready, the main
    process does its next tasks ahead.
    """
    if n_jobs < 2 or len(tasks) < 2:
        yield from (function(*task) for task in tasks)
        return
    pool = _pool(n_jobs - 1)
    # Tasks are pickled here rather than in loky's background thread: the main process goes
    # on with its own tasks, which may change the objects passed (a scipy matrix notes that
    # its indices are sorted when a fit reads it).
    futures = {i: pool.submit(_unpickled, function, pickle.dumps(task, pickle.HIGHEST_PROTOCOL))
               for i, task in enumerate(tasks) if i % n_jobs}
    own = iter(range(0, len(tasks), n_jobs))  # the main process's tasks, in order
    done = {}

    def do_own() -> bool:
        j = next(own, None)
        if j is not None:
            done[j] = function(*tasks[j])
        return j is not None

    try:
        for i in range(len(tasks)):
            if i in futures:
                while not futures[i].done() and do_own():
                    pass
                yield futures.pop(i).result()
            else:
                if i not in done:
                    do_own()
                yield done.pop(i)
    finally:
        for future in futures.values():  # a task failed, or the caller stopped early
            future.cancel()
