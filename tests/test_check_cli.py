"""`bunrui check` and `bunrui taxonomy init` as a user runs them: formats, exit codes, git."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import FIXTURES, JEKYLL, write

from bunrui.classifier import Suggester, TrainingConfig, load_corpus, save_model
from bunrui.service.cli import main

SITE = FIXTURES / "check" / "site"
FIX = FIXTURES / "check" / "fix"
CLEAN = SITE / "_posts" / "2025-07-01-clean-miso.md"
WARNS = SITE / "_posts" / "2025-07-06-no-tags.md"  # one warning, no error


def run(capsys, *args):
    code = main(["check", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def site(tmp_path):
    target = tmp_path / "site"
    shutil.copytree(SITE, target)
    return target


def test_text_groups_findings_by_file(capsys):
    code, out, _ = run(capsys, "--no-model", SITE)
    assert code == 1
    assert "taxonomy: taxonomy " in out and "bunrui.toml" in out
    block = out.split("2025-07-02-old-category.md\n", 1)[1].split("\n\n", 1)[0]
    assert "4:" in block and "error" in block and "[category-deprecated]" in block
    assert "fix: replace the category 'レシピ' with '料理' (bunrui check --fix)" in block
    assert out.rstrip().endswith("4 can be fixed with --fix")
    assert "11 files checked: 13 errors, 6 warnings, 0 notices in 10 files" in out


@pytest.mark.parametrize("args, code", [
    ([CLEAN], 0),
    ([WARNS], 0),  # warnings pass ...
    (["--strict", WARNS], 1),  # ... unless --strict
    (["--strict", CLEAN], 0),
])
def test_exit_status(capsys, args, code):
    assert run(capsys, "--no-model", *args)[0] == code


def test_json_is_a_list_of_findings(capsys):
    code, out, _ = run(capsys, "--no-model", "--format", "json", SITE / "_posts")
    findings = json.loads(out)
    assert code == 1 and isinstance(findings, list) and len(findings) == 19
    first = findings[0]
    assert set(first) == {"rule", "severity", "path", "line", "field", "message", "fix"}
    assert {f["rule"] for f in findings} >= {"category-deprecated", "tag-alias", "tag-unknown"}


def test_github_workflow_commands(capsys):
    code, out, _ = run(capsys, "--no-model", "--format", "github", SITE / "_posts")
    lines = out.splitlines()
    error = next(line for line in lines if "category-deprecated" in line)
    path = os.path.relpath(SITE / "_posts" / "2025-07-02-old-category.md")
    assert error.startswith(f"::error file={path},line=4,title=bunrui category-deprecated::")
    assert "(fix: replace the category 'レシピ' with '料理')" in error
    assert any(line.startswith("::warning file=") for line in lines)
    assert lines[-1].startswith("11 files checked")


def test_github_escapes_data_and_properties(tmp_path, capsys):
    post = write(tmp_path / "a,b.md", "---\ntags: [\"x%y\", \"x%y\"]\n---\n")
    _, out, _ = run(capsys, "--no-model", "--format", "github", post)
    line = out.splitlines()[0]
    assert "a%2Cb.md" in line and "'x%25y' is given twice" in line


def test_sarif_2_1_0(capsys, tmp_path):
    target = tmp_path / "report.sarif"
    code, out, _ = run(capsys, "--no-model", "--format", "sarif", "--output", target,
                       SITE / "_posts")
    assert code == 1 and out == ""
    log = json.loads(target.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-schema-2.1.0.json")
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert run_["tool"]["driver"]["name"] == "bunrui"
    result = next(r for r in run_["results"] if r["ruleId"] == "tag-unknown")
    assert rules[result["ruleIndex"]]["id"] == "tag-unknown"
    assert result["level"] == "warning"
    location = result["locations"][0]["physicalLocation"]
    assert location["region"]["startLine"] == 10
    assert location["artifactLocation"]["uri"].endswith("2025-07-09-label-tags.md")
    assert {r["level"] for r in run_["results"]} <= {"error", "warning", "note"}


@pytest.mark.parametrize("args, message", [
    (["--fix", "--dry-run", "--no-model"], None),  # no PATH
    (["--dry-run", "--no-model", CLEAN], "--dry-run goes with --fix"),
    (["--no-model", FIXTURES / "nope"], "no such file"),
    (["--no-model", "--rules", "nope", CLEAN], "unknown rule"),
    (["--model", FIXTURES / "nope", CLEAN], "no model here"),
    (["--no-model", "--taxonomy", FIXTURES / "nope.toml", CLEAN], "cannot read the taxonomy"),
])
def test_usage_and_setup_problems_exit_2(capsys, args, message):
    code, _, err = run(capsys, *args)
    assert code == 2
    if message:
        assert message in err


def test_a_malformed_taxonomy_exits_2(tmp_path, capsys):
    bad = write(tmp_path / "bunrui.toml", "[rules]\ntag-alias = \"loud\"\n")
    code, _, err = run(capsys, "--no-model", "--taxonomy", bad, CLEAN)
    assert code == 2 and "severity 'loud'" in err


def test_list_rules(capsys):
    code = main(["check", "--list-rules"])
    out = capsys.readouterr().out
    assert code == 0 and "category-mismatch" in out and "tag-alias" in out


def test_fix_rewrites_and_rechecks(tmp_path, capsys):
    folder = tmp_path / "fix"
    shutil.copytree(FIX, folder)
    untouched = {name: (folder / name).read_bytes()
                 for name in ("anchor.md", "json.md", "pelican.md")}
    code, out, err = run(capsys, "--no-model", "--fix", "--format", "json", folder)
    assert "fixed" in err and "not fixed, left untouched" in err and "anchor.md" in err
    assert {name: (folder / name).read_bytes() for name in untouched} == untouched
    remaining = json.loads(out)
    assert not [f for f in remaining if f["path"].endswith("words.md")]
    # What could not be fixed is still reported (aliases are warnings: the check passes),
    # at the line of its field.
    assert {os.path.basename(f["path"]) for f in remaining} == {
        "anchor.md", "duplicate-key.md", "json.md", "pelican.md"}
    assert {f["line"] for f in remaining if f["path"].endswith("json.md")} == {5}
    assert {f["line"] for f in remaining if f["path"].endswith("pelican.md")} == {4}
    assert code == 0


def test_fix_dry_run_prints_a_diff_and_changes_nothing(tmp_path, capsys):
    folder = tmp_path / "fix"
    shutil.copytree(FIX, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    code, out, err = run(capsys, "--no-model", "--fix", "--dry-run", folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert "-tags: 時短 和食 和食\n+tags: 時短レシピ 和食\n" in out
    assert "would be applied" in err and code == 1


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=cwd, check=True, capture_output=True)


def test_changed_since_checks_only_what_changed(site, capsys):
    _git(site, "init", "-q")
    _git(site, "add", ".")
    _git(site, "commit", "-q", "-m", "base")
    changed = site / "_posts" / "2025-07-01-clean-miso.md"
    changed.write_text(changed.read_text(encoding="utf-8").replace("[和食, 時短レシピ]",
                                                                  "[和食, 時短]"),
                       encoding="utf-8")
    write(site / "_posts" / "2025-07-20-new.md", "---\ncategories: [料理]\ntags: [雑記]\n---\n")
    code, out, _ = run(capsys, "--no-model", "--format", "json", "--changed-since", "HEAD", site)
    found = {(os.path.basename(f["path"]), f["rule"]) for f in json.loads(out)}
    assert found == {("2025-07-01-clean-miso.md", "tag-alias"),
                     ("2025-07-20-new.md", "tag-disallowed")}
    assert code == 0


def test_changed_since_with_nothing_changed_passes(site, capsys):
    _git(site, "init", "-q")
    _git(site, "add", ".")
    _git(site, "commit", "-q", "-m", "base")
    code, out, _ = run(capsys, "--format", "json", "--changed-since", "HEAD", site)
    assert code == 0 and json.loads(out) == []


def test_changed_since_a_bad_ref_exits_2(site, capsys):
    _git(site, "init", "-q")
    code, _, err = run(capsys, "--no-model", "--changed-since", "no-such-ref", site)
    assert code == 2 and "git" in err


@pytest.fixture(scope="module")
def fixture_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("model")
    suggester = Suggester().fit(load_corpus([JEKYLL]).posts)
    report = suggester.report_
    save_model(suggester, str(folder), report.card(TrainingConfig()))
    return folder


def test_with_a_model_the_model_rules_run(fixture_model, tmp_path, capsys):
    taxonomy = write(tmp_path / "bunrui.toml",
                     "[model]\ncategory_min = 0.6\ncategory_ratio = 5.0\n")
    post = write(tmp_path / "post.md",
                 "---\ntitle: \"トマト缶で作る簡単パスタ\"\ncategories: [旅行]\n"
                 "tags: [パスタ]\n---\n\nトマト缶とにんにくでソースを作り、茹でたパスタに"
                 "絡めます。忙しい日の時短レシピです。\n")
    code, out, _ = run(capsys, "--model", fixture_model, "--taxonomy", taxonomy,
                       "--cache-dir", tmp_path / "cache", "--format", "json", post)
    rules = {f["rule"] for f in json.loads(out)}
    assert "category-mismatch" in rules and code == 0  # a warning: passes
    # Warm: the same answer from the cache.
    code2, out2, _ = run(capsys, "--model", fixture_model, "--taxonomy", taxonomy,
                         "--cache-dir", tmp_path / "cache", "--format", "json", post)
    assert json.loads(out2) == json.loads(out)


def _post(folder, name, categories, tags):
    return write(folder / name, f"---\ntitle: \"トマト缶で作る簡単パスタ\"\n"
                                f"categories: {categories}\ntags: {tags}\n---\n\n"
                                "トマト缶でパスタを作ります。\n")


def test_the_bundled_model_serves_only_a_blog_whose_labels_it_knows(
        fixture_model, tmp_path, capsys, monkeypatch):
    from bunrui.service.cli import check

    monkeypatch.setattr(check, "default_model", lambda: str(fixture_model))
    # Another blog: none of its labels is the model's. Its categories would all be
    # "unknown" against the model's labels, and the model would propose its own tags.
    other = tmp_path / "other"
    for i in range(3):
        _post(other, f"p{i}.md", "[日記]", "[Rust, WebAssembly]")
    code, out, err = run(capsys, "--cache-dir", tmp_path / "cache", other)
    assert "model: none (model-based rules skipped)" in out
    assert "bundled model" in err and "labels 0% known" in err
    assert "category-unknown" not in out and code == 0
    # The model's own blog: its labels are the model's, and the model rules run.
    own = tmp_path / "own"
    _post(own, "p.md", "[料理]", "[パスタ]")
    _, out, err = run(capsys, "--cache-dir", tmp_path / "cache", own)
    assert "model: none" not in out and "bundled model" not in err
    # A model named with --model is the user's choice, whatever the labels.
    _, out, err = run(capsys, "--model", fixture_model, "--cache-dir", tmp_path / "cache", other)
    assert "model: none" not in out and "bundled model" not in err


def test_taxonomy_init_writes_a_file_and_will_not_overwrite(tmp_path, capsys):
    out_file = tmp_path / "bunrui.toml"
    assert main(["taxonomy", "init", str(JEKYLL), "--out", str(out_file)]) == 0
    text = out_file.read_text(encoding="utf-8")
    assert '"料理",  # 10' in text and '"和食",  #' in text
    assert main(["taxonomy", "init", str(JEKYLL), "--out", str(out_file)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["taxonomy", "init", str(JEKYLL), "--out", str(out_file), "--force"]) == 0


def test_taxonomy_init_to_standard_output(capsys):
    assert main(["taxonomy", "init", str(JEKYLL)]) == 0
    assert capsys.readouterr().out.startswith("# bunrui taxonomy")


def test_python_dash_m_runs_check():
    done = subprocess.run([sys.executable, "-m", "bunrui.service", "check", "--no-model",
                           str(CLEAN)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "1 file checked: 0 errors" in done.stdout


def test_pre_commit_hook_entries_run(tmp_path, capsys):
    import yaml

    hooks = yaml.safe_load((FIXTURES.parent.parent / ".pre-commit-hooks.yaml").read_text(
        encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"bunrui-check", "bunrui-check-model", "bunrui-fix"}
    post = tmp_path / "post.md"
    shutil.copy(SITE / "_posts" / "2025-07-09-label-tags.md", post)
    shutil.copy(SITE / "bunrui.toml", tmp_path / "bunrui.toml")
    for hook in hooks:
        if hook["id"] == "bunrui-check-model":
            continue
        program, *args = hook["entry"].split()
        assert program == "bunrui"
        assert main([*args, str(post)]) == 1  # tags-too-many is an error in this taxonomy
    assert "時短レシピ" in post.read_text(encoding="utf-8")  # bunrui-fix applied the alias
    capsys.readouterr()
