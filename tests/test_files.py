"""Atomic writes, and the leftovers of saves killed midway."""

from __future__ import annotations

import os
import subprocess
import sys

from bunrui.classifier.corpus.files import write_atomic


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    leftover = tmp_path / f".bunrui-{_dead_pid()}-abc.tmp"
    in_progress = tmp_path / f".bunrui-{os.getpid()}-def.tmp"  # a live writer's
    other = tmp_path / ".bunrui-notes.tmp"  # not named as ours
    for path in (leftover, in_progress, other):
        path.write_bytes(b"half a model")
    write_atomic(str(tmp_path / "model.json"), b"{}")
    assert (tmp_path / "model.json").read_bytes() == b"{}"
    assert not leftover.exists()
    assert in_progress.exists() and other.exists()


def test_a_write_leaves_no_temporary_file(tmp_path):
    write_atomic(str(tmp_path / "a.md"), b"one")
    write_atomic(str(tmp_path / "a.md"), b"two")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.md"]
    assert (tmp_path / "a.md").read_bytes() == b"two"
