"""The `bunrui` command line: train, suggest, evaluate, info; exit codes and messages."""

from __future__ import annotations

import functools
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    BROKEN,
    DRAFT_EXPECTATIONS,
    DRAFTS,
    FIXTURES,
    JEKYLL,
    TAGSONLY,
    Editor,
    tree_digest,
    write,
)

from bunrui.classifier import load_corpus
from bunrui.classifier.corpus.posts import POST_SUFFIXES
from bunrui.classifier.model.persistence import load_model, save_model
from bunrui.classifier.text.tokens import CACHE_FILE
from bunrui.service.cli import main
from bunrui.service.cli.options import default_cache_dir
from bunrui.service.cli.watch import watch

ROOT = Path(__file__).absolute().parent.parent


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("token-cache"))


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, cache_dir):
    """One model of the Jekyll fixture for the whole module, trained through the CLI."""
    out = tmp_path_factory.mktemp("cli-model") / "model"
    code = main(["train", str(JEKYLL), "--out", str(out), "--cache-dir", cache_dir,
                 "--min-tag-count", "3"])
    assert code == 0
    return str(out)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def suggest_json(capsys, model_dir, *files: str, extra=()) -> tuple[int, list[dict], str]:
    code, out, err = run(capsys, "suggest", "--model", model_dir, "--json", *extra, *files)
    return code, [json.loads(line) for line in out.splitlines()], err


def test_train_writes_a_model(capsys, tmp_path):
    out = tmp_path / "model"
    code, stdout, stderr = run(capsys, "train", str(JEKYLL), "--out", str(out),
                               "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "arrays.npz", "metadata.json", "model.json", "post_tags.npz", "postings.npz"]
    assert "28 posts used" in stdout
    assert "2 left out (draft or unpublished)" in stdout
    assert str(out) in stdout
    assert stderr == ""  # not a terminal: no progress bar
    card = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert card["training"]["sources"] == ["jekyll"]
    assert card["training"]["skipped"] == 0
    assert (tmp_path / "cache" / CACHE_FILE).is_file()


def test_train_reports_skipped_files_and_goes_on(capsys, tmp_path):
    code, stdout, stderr = run(capsys, "train", str(JEKYLL), str(BROKEN), "--out",
                               str(tmp_path / "m"), "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    assert "7 skipped" in stdout
    for name in ("bad-yaml.md:4", "bad-toml.md:4", "latin1.md:2", "not-a-mapping.md:2",
                 "unclosed.md:1", "no-front-matter.md", "empty.md"):
        assert name in stderr
    assert "Traceback" not in stderr
    card = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert card["training"]["skipped"] == 7


def test_training_never_touches_the_corpus(capsys, tmp_path):
    before = tree_digest(FIXTURES)
    code, _, _ = run(capsys, "train", str(JEKYLL), str(BROKEN), str(TAGSONLY), "--out",
                     str(tmp_path / "m"), "--cache-dir", str(tmp_path / "cache"),
                     "--include-drafts", "--jobs", "1")
    assert code == 0
    assert tree_digest(FIXTURES) == before  # no file changed, added or removed


def test_cache_goes_to_the_default_cache_folder_not_the_corpus(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BUNRUI_CACHE_DIR", str(tmp_path / "default"))
    before = tree_digest(FIXTURES)
    assert run(capsys, "train", str(JEKYLL), "--out", str(tmp_path / "m"))[0] == 0
    assert (tmp_path / "default" / CACHE_FILE).is_file()
    assert tree_digest(FIXTURES) == before


def test_no_cache_writes_no_cache(capsys, tmp_path):
    code, _, _ = run(capsys, "train", str(JEKYLL), "--out", str(tmp_path / "m"), "--no-cache",
                     "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    assert not (tmp_path / "cache").exists()


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("BUNRUI_CACHE_DIR", str(tmp_path / "explicit"))
    assert default_cache_dir() == str(tmp_path / "explicit")
    monkeypatch.delenv("BUNRUI_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == str(tmp_path / "xdg" / "bunrui")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == str(tmp_path / "home" / ".cache" / "bunrui")


def test_train_since_and_until(capsys, tmp_path):
    code, stdout, _ = run(capsys, "train", str(JEKYLL), "--out", str(tmp_path / "m"),
                          "--since", "2025-03-01", "--until", "2025-07-01",
                          "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    assert "18 posts used" in stdout
    card = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert card["training"]["date_range"] == ["2025-03-06", "2025-06-28"]


def test_train_options_are_in_the_card(capsys, tmp_path):
    code, _, _ = run(capsys, "train", str(JEKYLL), "--out", str(tmp_path / "m"),
                     "--half-life", "90", "--min-tag-count", "4", "--literal-years",
                     "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    card = json.loads((tmp_path / "m" / "metadata.json").read_text(encoding="utf-8"))
    assert card["training"]["config"]["half_life_days"] == 90
    assert card["training"]["config"]["min_tag_count"] == 4
    assert card["training"]["config"]["tag_series"] is False
    assert set(card["rare_tags"]) == {"京都", "お菓子"}


def test_train_on_nothing_usable_fails_cleanly(capsys, tmp_path):
    code, _, stderr = run(capsys, "train", str(BROKEN), "--out", str(tmp_path / "m"),
                          "--cache-dir", str(tmp_path / "cache"))
    assert code == 1
    assert stderr.splitlines()[-1].startswith("bunrui: ")
    assert "need at least 2 posts" in stderr and "0 posts used, 7 skipped" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_learning_from_no_posts_says_why(capsys, tmp_path, command):
    empty = tmp_path / "empty"
    empty.mkdir()
    extra = ["--out", str(tmp_path / "m")] if command == "train" else ["--folds", "2"]
    code, _, err = run(capsys, command, str(empty), *extra)
    assert code == 1 and err.startswith(f"bunrui: {empty}: ")
    assert f"no post files ({', '.join(POST_SUFFIXES)})" in err and ".md, " in err
    # Posts that exist but fall outside --since are counted as such.
    code, _, err = run(capsys, command, str(JEKYLL), "--since", "2030-01-01", *extra)
    assert code == 1 and "left out (outside the date range)" in err


def test_suggest_json(capsys, model_dir):
    files = [str(DRAFTS / name) for name, _, _ in DRAFT_EXPECTATIONS]
    code, results, stderr = suggest_json(capsys, model_dir, *files)
    assert code == 0
    assert stderr == ""
    assert [r["path"] for r in results] == files
    for result, (_, category, tags) in zip(results, DRAFT_EXPECTATIONS, strict=True):
        assert {"path", "category", "categories", "tags", "tag_candidates"} <= set(result)
        assert result["category"] == {"label": category, "score": result["category"]["score"]}
        assert result["categories"][0] == result["category"]
        assert {c["label"] for c in result["categories"]} == {"料理", "旅行", "プログラミング"}
        for key in ("categories", "tag_candidates", "tags"):
            scores = [s["score"] for s in result[key]]
            assert scores == sorted(scores, reverse=True), key
            assert all(set(s) == {"label", "score"} for s in result[key])
            assert all(0 <= x <= 1 for x in scores)
        assert sum(c["score"] for c in result["categories"]) == pytest.approx(1, abs=1e-3)
        assert len(result["tag_candidates"]) == 11  # every tag of the model, fewer than 20
        assert result["tags"] == result["tag_candidates"][: len(result["tags"])]
        assert {t["label"] for t in result["tag_candidates"][: len(tags)]} == tags
        assert result["tags"] and {t["label"] for t in result["tags"]} <= tags


def test_suggest_json_is_one_object_per_line(capsys, model_dir):
    code, out, _ = run(capsys, "suggest", "--model", model_dir, "--json",
                       str(DRAFTS / "kyoto-draft.md"), str(DRAFTS / "crlf.md"))
    assert code == 0
    lines = out.split("\n")
    assert lines[-1] == "" and len(lines) == 3
    assert all(isinstance(json.loads(line), dict) for line in lines[:-1])
    assert "温泉" in out  # written as itself, not as a \\u escape


def test_suggest_reads_stdin(capsys, model_dir, monkeypatch):
    raw = (DRAFTS / "plain.txt").read_bytes()
    stdin = type("Stdin", (), {"buffer": io.BytesIO(raw)})()
    monkeypatch.setattr(sys, "stdin", stdin)
    code, results, _ = suggest_json(capsys, model_dir, "-")
    assert code == 0
    [result] = results
    assert result["path"] == "<stdin>"
    assert result["category"]["label"] == "料理"


def test_suggest_refuses_a_standard_input_past_the_file_limit(capsys, model_dir, monkeypatch):
    from bunrui.classifier.corpus.posts import MAX_FILE_BYTES

    stdin = type("Stdin", (), {"buffer": io.BytesIO(b"a" * (MAX_FILE_BYTES + 1))})()
    monkeypatch.setattr(sys, "stdin", stdin)
    code, results, err = suggest_json(capsys, model_dir, "-")
    assert code == 1 and results == []
    assert f"<stdin>: larger than {MAX_FILE_BYTES // 2**20} MB" in err


def test_suggest_limit_caps_the_tags(capsys, model_dir):
    code, results, _ = suggest_json(capsys, model_dir, str(DRAFTS / "kyoto-draft.md"),
                                    extra=("--limit", "1"))
    assert code == 0
    assert len(results[0]["tags"]) == 1
    assert len(results[0]["tag_candidates"]) == 11  # candidates are not limited
    _, unlimited, _ = suggest_json(capsys, model_dir, str(DRAFTS / "kyoto-draft.md"))
    assert len(unlimited[0]["tags"]) > 1


def test_suggest_text_output(capsys, model_dir):
    code, out, _ = run(capsys, "suggest", "--model", model_dir, "--explain", "3",
                       str(DRAFTS / "python-draft.md"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == str(DRAFTS / "python-draft.md")
    assert lines[1].startswith("  category: プログラミング (")
    assert lines[2].startswith("  tags: ") and "Python" in lines[2]
    assert any(line.startswith("  why category プログラミング: ") for line in lines)


def test_suggest_with_a_missing_model(capsys, tmp_path):
    missing = str(tmp_path / "no-model-here")
    code, out, err = run(capsys, "suggest", "--model", missing, str(DRAFTS / "plain.txt"))
    assert code == 1
    assert out == ""
    assert missing in err
    assert "Traceback" not in err


def test_suggest_non_utf8_draft(capsys, model_dir):
    bad = str(BROKEN / "latin1.md")
    code, results, err = suggest_json(capsys, model_dir, bad, str(DRAFTS / "kyoto-draft.md"))
    assert code == 1
    assert f"{bad}:2" in err and "UTF-8" in err
    assert "Traceback" not in err
    # The good draft after it is still answered.
    assert [r["path"] for r in results] == [str(DRAFTS / "kyoto-draft.md")]


@pytest.mark.parametrize(
    ("name", "text", "words"),
    [
        ("empty.md", "", "empty"),
        ("bad-yaml.md", "---\ntags: [a\n---\n本文\n", "invalid YAML"),
    ],
)
def test_suggest_unusable_draft(capsys, model_dir, tmp_path, name, text, words):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "suggest", "--model", model_dir, str(path))
    assert code == 1
    assert str(path) in err and words in err
    assert "Traceback" not in err


def test_suggest_follows_the_taxonomy_found_beside_the_draft(capsys, model_dir, tmp_path):
    site = tmp_path / "site"
    write(site / "bunrui.toml", '[tags]\ndisallowed = ["テスト"]\n\n[tags.aliases]\n'
                                '"Python" = "python3"\n')
    draft = site / "_drafts" / "python-draft.md"
    write(draft, (DRAFTS / "python-draft.md").read_text(encoding="utf-8"))
    code, [plain], _ = suggest_json(capsys, model_dir, str(DRAFTS / "python-draft.md"))
    assert {"Python", "テスト"} <= {t["label"] for t in plain["tags"]}
    code, [result], err = suggest_json(capsys, model_dir, str(draft))
    assert (code, err) == (0, "")
    tags = [t["label"] for t in result["tags"]]
    assert "python3" in tags and not {"Python", "テスト"} & set(tags)
    assert not {"Python", "テスト"} & {t["label"] for t in result["tag_candidates"]}
    # An explicit file wins over the one found; a broken one is an error naming it.
    bad = write(tmp_path / "bad.toml", "[tags\n")
    code, _, err = run(capsys, "suggest", "--model", model_dir, "--taxonomy", str(bad),
                       str(draft))
    assert code == 1 and str(bad) in err


@pytest.mark.parametrize("carriers", [2, 9])
def test_suggest_leaves_out_tags_named_like_a_category_unless_the_blog_does(
        capsys, tmp_path, cache_dir, carriers):
    # A blog whose travel posts also carry their category as a tag (`tag-is-category`):
    # 2 of 28 posts is a slip, all 9 travel posts (32%) the blog's convention.
    site = tmp_path / "site"
    for post in sorted((JEKYLL / "_posts").iterdir()):
        text = post.read_text(encoding="utf-8")
        if 'categories: ["旅行"]' in text and carriers:
            text = text.replace("tags: [", "tags: [旅行, ")
            carriers -= 1
        write(site / "_posts" / post.name, text)
    model = str(tmp_path / "model")
    assert run(capsys, "train", str(site), "--out", model, "--cache-dir", cache_dir)[0] == 0
    convention = json.loads((tmp_path / "model" / "metadata.json").read_text(
        encoding="utf-8"))["conventions"]["tag_is_category"]
    draft = write(tmp_path / "drafts" / "kyoto.md",
                  (DRAFTS / "kyoto-draft.md").read_text(encoding="utf-8"))
    # No taxonomy file: the categories and the convention come from the model card.
    _, [result], _ = suggest_json(capsys, model, str(draft))
    assert result["category"]["label"] == "旅行"
    assert ("旅行" in {t["label"] for t in result["tag_candidates"]}) is convention
    write(tmp_path / "drafts" / "bunrui.toml", '[rules]\n"tag-is-category" = "off"\n')
    _, [result], _ = suggest_json(capsys, model, str(draft))
    assert "旅行" in {t["label"] for t in result["tag_candidates"]}


def test_suggest_a_folder_of_drafts_and_go_on_after_a_bad_one(capsys, model_dir, tmp_path):
    drafts = tmp_path / "_drafts"
    for name in ("kyoto-draft.md", "python-draft.md"):
        write(drafts / name, (DRAFTS / name).read_text(encoding="utf-8"))
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = str(tmp_path / "missing.md")
    code, results, err = suggest_json(capsys, model_dir, missing, str(drafts), str(empty))
    assert code == 1
    assert [r["path"] for r in results] == [str(drafts / "kyoto-draft.md"),
                                           str(drafts / "python-draft.md")]
    assert f"{missing}: cannot read" in err and f"{empty}: no drafts" in err


def test_suggest_watch_follows_saves_and_new_drafts(capsys, model_dir, tmp_path, monkeypatch):
    drafts = tmp_path / "_drafts"
    kyoto = write(drafts / "kyoto.md", (DRAFTS / "kyoto-draft.md").read_text(encoding="utf-8"))
    python = drafts / "python.md"
    editor = Editor(  # a new draft appears; then the first is saved empty (caught mid-save)
        lambda: write(python, (DRAFTS / "python-draft.md").read_text(encoding="utf-8")),
        lambda: kyoto.write_text("", encoding="utf-8"))
    monkeypatch.setattr("bunrui.service.cli.suggest.watch", functools.partial(watch, stop=editor))
    code, out, err = run(capsys, "suggest", "--model", model_dir, "--json", "--watch",
                         str(drafts))
    assert code == 0
    assert [json.loads(line)["path"] for line in out.splitlines()] == [str(kyoto), str(python)]
    assert "watching" in err and f"{kyoto} [text]: the draft is empty" in err


def test_suggest_watch_reads_an_edited_taxonomy_at_once(capsys, model_dir, tmp_path,
                                                        monkeypatch):
    site = tmp_path / "site"
    draft = write(site / "_drafts" / "python.md",
                  (DRAFTS / "python-draft.md").read_text(encoding="utf-8"))
    editor = Editor(lambda: (write(site / "bunrui.toml", '[tags]\ndisallowed = ["Python"]\n'),
                             draft.write_text(draft.read_text(encoding="utf-8") + "\n追記。",
                                              encoding="utf-8")))
    monkeypatch.setattr("bunrui.service.cli.suggest.watch", functools.partial(watch, stop=editor))
    code, out, _ = run(capsys, "suggest", "--model", model_dir, "--json", "--watch",
                       str(draft))
    before, after = ({t["label"] for t in json.loads(line)["tags"]} for line in out.splitlines())
    assert code == 0 and "Python" in before and "Python" not in after


def test_suggest_watch_loads_a_retrained_model(capsys, model_dir, tmp_path, monkeypatch):
    model = tmp_path / "model"
    shutil.copytree(model_dir, model)
    draft = write(tmp_path / "python.md", (DRAFTS / "python-draft.md").read_text(encoding="utf-8"))

    def retrain():  # the same model saved again, now suggesting one tag at most
        suggester, card = load_model(str(model))
        suggester.max_tags_ = 1
        save_model(suggester, str(model), card)  # dated anew

    editor = Editor(retrain,
                    lambda: (model / "metadata.json").write_text("{", encoding="utf-8"),
                    lambda: draft.write_text(draft.read_text(encoding="utf-8") + "\n追記。",
                                             encoding="utf-8"))
    monkeypatch.setattr("bunrui.service.cli.suggest.watch", functools.partial(watch, stop=editor))
    code, out, err = run(capsys, "suggest", "--model", str(model), "--json", "--watch",
                         str(draft))
    counts = [len(json.loads(line)["tags"]) for line in out.splitlines()]
    # Suggested again when the model is retrained; a broken card is reported and the model
    # loaded before still suggests for the next save.
    assert code == 0 and counts[0] > 1 and counts[1:] == [1, 1]
    assert "retrained model loaded" in err
    assert "unreadable model card" in err and "keeping the model loaded before" in err


def test_suggest_missing_draft_file(capsys, model_dir, tmp_path):
    missing = str(tmp_path / "missing.md")
    code, _, err = run(capsys, "suggest", "--model", model_dir, missing)
    assert code == 1
    assert missing in err and "cannot read" in err


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["train", str(JEKYLL), "--out", "x", "--since", "2025-13-01"], id="bad-since"),
        pytest.param(["train", str(JEKYLL), "--out", "x", "--until", "yesterday"], id="bad-until"),
        pytest.param(["train", str(JEKYLL)], id="missing-out"),
        pytest.param(["train", "--out", "x"], id="missing-path"),
        pytest.param(["train", str(JEKYLL), "--out", "x", "--min-tag-count", "0"],
                     id="bad-min-tag-count"),
        pytest.param(["suggest", "--limit", "0", "draft.md"], id="bad-limit"),
        pytest.param(["suggest"], id="no-drafts"),
        pytest.param(["suggest", "--watch", "-"], id="watch-stdin"),
        pytest.param(["evaluate", str(JEKYLL)], id="no-split"),
        pytest.param(["evaluate", str(JEKYLL), "--folds", "3", "--split-date", "2025-05-01"],
                     id="two-splits"),
        pytest.param(["evaluate", str(JEKYLL), "--test-share", "1.5"], id="bad-share"),
        pytest.param(["evaluate", str(JEKYLL), "--split-date", "May"], id="bad-split-date"),
        pytest.param(["evaluate", str(JEKYLL), "--split-date", "2025-05-01", "--every", "7"],
                     id="every-without-rolling"),
        pytest.param(["evaluate", str(JEKYLL), "--rolling-from", "2025-05-01", "--every", "0"],
                     id="bad-every"),
        pytest.param(["frobnicate"], id="unknown-command"),
        pytest.param([], id="no-command"),
    ],
)
def test_usage_errors_exit_2(capsys, tmp_path, argv):
    # Were an option accepted by mistake, nothing would be written outside tmp_path.
    argv = [str(tmp_path / "x") if a == "x" else a for a in argv]
    if argv and argv[0] in ("train", "evaluate"):
        argv = [*argv, "--cache-dir", str(tmp_path / "cache")]
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out, err = capsys.readouterr()
    assert "usage: bunrui" in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("argv", [
    pytest.param(["train", str(JEKYLL), "--out", "x"], id="train"),
    pytest.param(["evaluate", str(JEKYLL), "--test-share", "0.2"], id="evaluate"),
    pytest.param(["check", "--no-model", str(JEKYLL)], id="check"),
])
@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_is_checked_alike_by_every_command(capsys, tmp_path, argv, jobs):
    argv = [str(tmp_path / "x") if a == "x" else a for a in argv]
    with pytest.raises(SystemExit) as info:
        main([*argv, "--jobs", jobs, "--cache-dir", str(tmp_path / "cache")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert (f"bunrui {argv[0]}: error: argument --jobs: must be a whole number of at least 1: "
            f"'{jobs}'") in err
    assert list(tmp_path.iterdir()) == []


def test_evaluate_split_date(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", str(JEKYLL), "--split-date", "2025-05-01", "--json",
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    result = json.loads(out)
    assert result["split_date"] == "2025-05-01"
    assert (result["train_posts"], result["test_posts"]) == (19, 9)
    assert {"category", "tags"} <= set(result["model"])
    assert {"category", "tags"} <= set(result["baseline"])
    assert result["baseline"]["category"]["accuracy"] == pytest.approx(2 / 9)


def test_evaluate_rolling(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", str(JEKYLL), "--rolling-from", "2025-05-01",
                       "--every", "14", "--json", "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    result = json.loads(out)
    # The 9 posts from May on, in 14-day windows from 05-01: 05-01..14 up to 06-26..07-09.
    assert (result["rolling_from"], result["every_days"]) == ("2025-05-01", 14)
    assert (result["test_posts"], result["retrains"]) == (9, 5)
    assert {"category", "tags"} <= set(result["model"]) & set(result["baseline"])
    code, out, _ = run(capsys, "evaluate", str(JEKYLL), "--rolling-from", "2025-05-01",
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    assert out.startswith("retrained 9 times from 2025-05-01 (every 1 day), tested on 9 posts")


def test_evaluate_rolling_from_after_every_post(capsys, tmp_path):
    code, _, err = run(capsys, "evaluate", str(JEKYLL), "--rolling-from", "2026-01-01",
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 1
    assert "rolling-from" in err and "0 to test on" in err


def test_evaluate_text_table_shows_baseline(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", str(JEKYLL), "--split-date", "2025-05-01",
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "trained on 19 posts, tested on 9"
    assert lines[1].split() == ["metric", "model", "baseline"]
    rows = {" ".join(line.split()[:2]): line.split()[2:] for line in lines[2:]}
    assert rows["category accuracy"][1] == "0.222"
    assert {"tags precision@3", "tags recall@5", "tags ndcg@5", "tags f1"} <= set(rows)


def test_evaluate_test_share(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", str(JEKYLL), "--test-share", "0.25", "--json",
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    result = json.loads(out)
    assert result["test_posts"] == 7
    assert result["split_date"] == "2025-05-23"


def test_evaluate_folds(capsys, tmp_path):
    code, out, _ = run(capsys, "evaluate", str(JEKYLL), "--folds", "3", "--json",
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    result = json.loads(out)
    assert result["folds"] == 3
    assert result["test_posts"] == 28
    assert result["model"]["category"]["accuracy"] > result["baseline"]["category"]["accuracy"]
    code, out, _ = run(capsys, "evaluate", str(JEKYLL), "--folds", "3",
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 0
    assert out.startswith("3-fold (time-contiguous), 28 posts")


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--split-date", "2030-01-01"], "leaves"),
        (["--folds", "100"], "--folds"),
    ],
)
def test_evaluate_impossible_split_fails_cleanly(capsys, tmp_path, argv, words):
    code, _, err = run(capsys, "evaluate", str(JEKYLL), *argv,
                       "--cache-dir", str(tmp_path / "cache"))
    assert code == 1
    assert words in err
    assert "Traceback" not in err


def test_info_prints_the_card(capsys, model_dir):
    code, out, _ = run(capsys, "info", "--model", model_dir)
    assert code == 0
    assert f"model: {model_dir}" in out
    assert "trained on 28 posts dated 2025-01-05 .. 2025-06-28" in out
    assert "categories: プログラミング 10, 料理 9, 旅行 9" in out
    assert "tags (11): " in out and "Python 6" in out
    assert "rare tags left out: 1" in out
    assert "chosen: categories " in out and "validation windows: 5 posts from " in out
    assert "a tag named in the title adds " in out
    assert "seldom-used tags named in a draft's title: " in out and "not suggested" in out
    assert "  plain: category accuracy " in out and "  tuned, very recent: " in out
    assert "convention: tag is category share: 0.0" in out
    assert "scikit-learn" in out and "unidic-lite" in out


def test_train_with_one_candidate(capsys, tmp_path):
    out = tmp_path / "model"
    code, _, _ = run(capsys, "train", str(JEKYLL), "--out", str(out), "--no-cache",
                     "--candidate", "plain")
    assert code == 0
    code, text, _ = run(capsys, "info", "--model", str(out))
    assert "chosen: categories plain, tags plain" in text and "  tuned:" not in text
    with pytest.raises(SystemExit) as info:
        main(["train", str(JEKYLL), "--out", str(out), "--candidate", "best"])
    assert info.value.code == 2
    assert "invalid choice: 'best'" in capsys.readouterr().err


def test_info_json_is_the_card(capsys, model_dir):
    code, out, _ = run(capsys, "info", "--model", model_dir, "--json")
    assert code == 0
    card = json.loads((Path(model_dir) / "metadata.json").read_text(encoding="utf-8"))
    assert json.loads(out) == card


def test_info_on_a_missing_model(capsys, tmp_path):
    code, out, err = run(capsys, "info", "--model", str(tmp_path / "none"))
    assert code == 1
    assert str(tmp_path / "none") in err
    assert "Traceback" not in err


def test_info_on_a_corrupt_card(capsys, tmp_path):
    (tmp_path / "metadata.json").write_text("{broken", encoding="utf-8")
    code, _, err = run(capsys, "info", "--model", str(tmp_path))
    assert code == 1
    assert "unreadable model card" in err


def test_python_dash_m_service(model_dir, tmp_path):
    env = {**os.environ, "BUNRUI_CACHE_DIR": str(tmp_path / "cache"), "PYTHONIOENCODING": "utf-8"}
    draft = (DRAFTS / "kyoto-draft.md").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "bunrui.service", "suggest", "--model", model_dir, "--json", "-",
         str(DRAFTS / "python-draft.md")],
        input=draft, capture_output=True, cwd=ROOT, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    results = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [(r["path"], r["category"]["label"]) for r in results] == [
        ("<stdin>", "旅行"), (str(DRAFTS / "python-draft.md"), "プログラミング"),
    ]


def test_retraining_reuses_the_previous_choices_unless_retune(tmp_path, capsys):
    out = tmp_path / "m"
    args = ["train", str(JEKYLL), "--out", str(out), "--cache-dir", str(tmp_path / "c")]
    assert main(args) == 0
    first = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert "reused_from" not in first["validation"]
    assert main(args) == 0
    second = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert second["validation"]["reused_from"] == first["created"]
    assert second["half_life_days"] == first["half_life_days"]
    assert main([*args, "--retune"]) == 0
    third = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert "reused_from" not in third["validation"]
    capsys.readouterr()


def test_retraining_with_other_settings_chooses_afresh(tmp_path, capsys):
    out = tmp_path / "m"
    args = ["train", str(JEKYLL), "--out", str(out), "--cache-dir", str(tmp_path / "c")]
    assert main(args) == 0
    assert main([*args, "--min-tag-count", "4"]) == 0
    card = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert "reused_from" not in card["validation"]
    capsys.readouterr()


def test_train_says_when_posts_carry_more_categories_than_it_learns(capsys, tmp_path):
    # Each post's categories are a path (Hexo): the model learns the first.
    site = tmp_path / "site" / "source" / "_posts"
    for post in load_corpus([JEKYLL]).posts:
        write(site / os.path.basename(post.path),
              f"---\ntitle: {post.title}\ndate: {post.date}\n"
              f"categories: [{post.categories[0]}, 日記]\ntags: [{', '.join(post.tags)}]\n"
              f"---\n{post.body}")
    code, out, _ = run(capsys, "train", str(tmp_path / "site"), "--out", str(tmp_path / "m"))
    assert code == 0
    assert "3 categories (4 in all, the first of a post learned)" in out
