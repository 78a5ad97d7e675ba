"""Watching drafts: each new or saved file is handed on once per change."""

from __future__ import annotations

import os

from conftest import Editor, write

from bunrui.service.cli.watch import watch


def watched(paths, *edits) -> list[str]:
    seen: list[str] = []
    watch([str(p) for p in paths], seen.append, interval=0, stop=Editor(*edits))
    return seen


def test_every_draft_once_then_only_what_changed(tmp_path):
    a = write(tmp_path / "a.md", "一つ目")
    b = write(tmp_path / "sub" / "b.markdown", "二つ目")
    write(tmp_path / "notes.txt", "下書きではない")

    def touch_a():
        stat = os.stat(a)
        os.utime(a, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    assert watched([tmp_path], lambda: None, touch_a,
                   lambda: write(tmp_path / "c.html", "三つ目"),
                   lambda: b.write_text("二つ目、書き足し", encoding="utf-8")) == [
        str(a), str(b), str(a), str(tmp_path / "c.html"), str(b)]


def test_a_deleted_draft_is_dropped_and_a_recreated_one_seen_again(tmp_path):
    a = write(tmp_path / "a.md", "一つ目")
    assert watched([a], a.unlink, lambda: write(a, "戻ってきた")) == [str(a), str(a)]


def test_a_file_named_on_its_own_is_watched_whatever_its_suffix(tmp_path):
    draft = write(tmp_path / "draft.txt", "プレーンテキストの下書き")
    assert watched([draft]) == [str(draft)]


def test_a_refresh_hands_every_draft_on_again(tmp_path):
    a = write(tmp_path / "a.md", "一つ目")
    b = write(tmp_path / "b.md", "二つ目")
    answers = iter([False, True, False])
    seen: list[str] = []
    watch([str(tmp_path)], seen.append, interval=0, stop=Editor(lambda: None, lambda: None),
          refresh=lambda: next(answers))
    assert seen == [str(a), str(b), str(a), str(b)]
