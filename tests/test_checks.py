"""The checks: each rule on hand-written posts, severities, and the model-based rules."""

from __future__ import annotations

import copy
import dataclasses

import pytest
from conftest import FIXTURES, JEKYLL, write

from bunrui.classifier import Suggester, TrainingConfig, load_corpus, parse_post
from bunrui.classifier.check import RULES, Checker, Finding, has_errors, rule_table
from bunrui.classifier.errors import TaxonomyError
from bunrui.classifier.taxonomy import Taxonomy, read_taxonomy, resolve_taxonomy
from bunrui.classifier.text.tokens import TokenCache

SITE = FIXTURES / "check" / "site"
POSTS = SITE / "_posts"


@pytest.fixture(scope="module")
def taxonomy():
    return read_taxonomy(SITE / "bunrui.toml")


@pytest.fixture(scope="module")
def report(taxonomy):
    paths = sorted(str(p) for p in POSTS.iterdir())
    return Checker(taxonomy).check_files(paths)


def _found(report, name):
    return sorted((f.rule, f.line) for f in report.findings if f.path.endswith(name))


@pytest.mark.parametrize("name, expected", [
    ("2025-07-01-clean-miso.md", []),
    ("2025-07-02-old-category.md", [("category-deprecated", 4)]),
    ("2025-07-03-unknown-category.md", [("category-unknown", 4)]),
    ("2025-07-04-no-category.md", [("category-missing", 1)]),
    ("2025-07-05-two-categories.md", [("category-multiple", 4)]),
    ("2025-07-06-no-tags.md", [("tags-missing", 1)]),
    ("2025-07-07-many-tags.md", [("tags-too-many", 5)]),
    ("2025-07-08-bad-tags.md", [("tag-duplicate", 5), ("tag-duplicate", 5),
                                ("tag-malformed", 5), ("tag-malformed", 5),
                                ("tags-too-many", 5)]),
    # A block list: each finding points at its item's own line.
    ("2025-07-09-label-tags.md", [("tag-alias", 7), ("tag-deprecated", 9),
                                  ("tag-disallowed", 8), ("tag-is-category", 6),
                                  ("tag-unknown", 10), ("tags-too-many", 5)]),
    ("2025-07-10-no-front-matter.md", [("front-matter-missing", 1)]),
    ("2025-07-11-bad-yaml.md", [("front-matter-invalid", 3)]),
])
def test_each_fixture_post_trips_exactly_its_rules(report, name, expected):
    assert _found(report, name) == expected


def _one(report, name, rule) -> Finding:
    found = [f for f in report.findings if f.path.endswith(name) and f.rule == rule]
    assert len(found) == 1, found
    return found[0]


def test_deprecated_category_has_a_safe_fix(report):
    f = _one(report, "2025-07-02-old-category.md", "category-deprecated")
    assert f.severity == "error" and f.field == "categories"
    assert f.fix.safe and (f.fix.old, f.fix.new, f.fix.index) == ("レシピ", "料理", 0)
    assert "'料理'" in f.message


def test_tag_findings_explain_and_suggest(report):
    name = "2025-07-08-bad-tags.md"
    messages = {f.message: f.fix for f in report.findings if f.path.endswith(name)}
    kv = next(fix for m, fix in messages.items() if "key: value" in m)
    assert kv.new == "Python" and not kv.safe
    spaces = next(fix for m, fix in messages.items() if "surrounding spaces" in m)
    assert spaces.new == "テスト" and spaces.safe
    exact = next(fix for m, fix in messages.items() if "given twice" in m)
    assert exact.safe and exact.new is None and exact.index == 4
    variant = next(fix for m, fix in messages.items() if "width/case variant" in m)
    assert not variant.safe and variant.old == "python"


def test_unknown_tag_names_the_nearest_known_one(taxonomy):
    post = parse_post("---\ncategories: [旅行]\ntags: [京都旅]\n---\n本文\n", "p.md")
    [f] = Checker(taxonomy).check_post(post)
    assert f.rule == "tag-unknown" and "nearest: '京都'" in f.message


def test_taxonomy_severities_override_and_switch_off(taxonomy):
    assert _one_rule(Checker(taxonomy), "tags-too-many").severity == "error"  # from the file
    quiet = dataclasses.replace(taxonomy, severities={"tags-too-many": "off"})
    assert _one_rule(Checker(quiet), "tags-too-many") is None


def _one_rule(checker, rule):
    report = checker.check_files([str(POSTS / "2025-07-07-many-tags.md")])
    return next((f for f in report.findings if f.rule == rule), None)


def test_unknown_rule_ids_in_the_taxonomy_are_refused():
    with pytest.raises(TaxonomyError, match="unknown rule"):
        Checker(Taxonomy(severities={"no-such-rule": "error"}))
    with pytest.raises(TaxonomyError, match="unknown model threshold"):
        Checker(Taxonomy(thresholds={"nope": 1.0}))


def test_chosen_rules_only(taxonomy):
    checker = Checker(taxonomy, rules=["tag-alias"])
    report = checker.check_files([str(POSTS / "2025-07-09-label-tags.md")])
    assert {f.rule for f in report.findings} == {"tag-alias"}


def test_not_utf8_and_unreadable_files_are_findings(tmp_path, taxonomy):
    bad = tmp_path / "latin1.md"
    bad.write_bytes("---\ntitle: caf\xe9\n---\n".encode("latin-1"))
    report = Checker(taxonomy).check_files([str(bad), str(tmp_path / "missing.md")])
    assert [(f.rule, f.severity) for f in report.findings] == [
        ("front-matter-invalid", "error"), ("front-matter-invalid", "error")]
    assert "not UTF-8" in report.findings[0].message
    assert "cannot read" in report.findings[1].message


def test_labels_of_a_wrong_type_are_front_matter_errors(taxonomy):
    report = Checker(taxonomy).check_texts([("x.md", "---\ntags: {a: 1}\n---\n")])
    [f] = report.findings
    assert f.rule == "front-matter-invalid" and f.line == 2


def test_without_a_taxonomy_only_the_shape_of_labels_is_checked():
    checker = Checker(Taxonomy())
    report = checker.check_texts([("x.md", "---\ncategories: [何でも]\ntags: [a, a]\n---\n")])
    assert [f.rule for f in report.findings] == ["tag-duplicate"]


def test_new_tags_are_notices_when_only_the_model_knows_the_vocabulary():
    taxonomy = Taxonomy(categories=("料理",), known_tags=("和食", "時短レシピ"))
    report = Checker(taxonomy).check_texts(
        [("x.md", "---\ncategories: [料理]\ntags: [和食, 時短レシピ集, 新顔]\n---\n")])
    assert [(f.rule, f.severity) for f in report.findings] == [("tag-new", "notice")] * 2
    assert "nearest known tag: '時短レシピ'" in report.findings[0].message
    assert report.findings[0].fix.new == "時短レシピ" and not report.findings[0].fix.safe


def test_has_errors_and_strict():
    warning = Finding("tag-alias", "warning", "x", 1, "tags", "m")
    notice = dataclasses.replace(warning, severity="notice")
    assert not has_errors([warning, notice])
    assert has_errors([warning], strict=True) and not has_errors([notice], strict=True)
    assert has_errors([dataclasses.replace(warning, severity="error")])


def test_finding_as_dict_has_the_json_keys(report):
    d = _one(report, "2025-07-02-old-category.md", "category-deprecated").as_dict()
    assert list(d) == ["rule", "severity", "path", "line", "field", "message", "fix"]
    assert d["fix"]["safe"] is True


def test_rule_table_lists_every_rule_with_its_severity():
    rows = rule_table({"tag-new": "off"})
    assert [r["id"] for r in rows] == list(RULES)
    assert next(r for r in rows if r["id"] == "tag-new")["severity"] == "off"
    assert all(r["default"] in ("error", "warning", "notice") for r in rows)


# --- model-based rules -----------------------------------------------------------------

@pytest.fixture(scope="module")
def model():
    suggester = Suggester().fit(load_corpus([JEKYLL]).posts)
    report = suggester.report_
    return suggester, report.card(TrainingConfig())


# Thresholds for the small fixture model, whose probabilities are less extreme than a
# real blog's model; the defaults are measured in bench/check_detection.py.
LOOSE = {"category_min": 0.6, "category_ratio": 5.0, "tag_missing": 0.75,
         "tag_unlikely": 0.2, "tag_missing_max": 2}

COOKING = ("---\ntitle: \"トマト缶で作る簡単パスタ\"\ncategories: [{cat}]\ntags: [{tags}]\n---\n\n"
           "トマト缶とにんにくでソースを作り、茹でたパスタに絡めます。オリーブオイルと塩で味を"
           "整えれば十分おいしい。忙しい日の時短レシピです。\n")
PYTHON = ("---\ntitle: \"Python のテストを書く\"\ncategories: [プログラミング]\ntags: [{tags}]\n"
          "---\n\npytest で Python のテストを書きます。fixture を使うとデータベースの準備も"
          "まとめられます。\n")


def _checker(model, **kwargs):
    suggester, _ = model
    taxonomy = Taxonomy(categories=("料理", "旅行", "プログラミング"), thresholds=LOOSE,
                        max_tags=4)
    return Checker(taxonomy, suggester, **kwargs)


def test_model_prefers_another_category(model):
    report = _checker(model).check_texts([("p.md", COOKING.format(cat="旅行",
                                                                  tags="パスタ, 時短レシピ"))])
    [f] = [f for f in report.findings if f.rule == "category-mismatch"]
    assert f.severity == "warning" and f.line == 3
    assert "prefers category '料理' (0." in f.message and "to '旅行' (0." in f.message
    assert f.fix.new == "料理" and not f.fix.safe


def test_a_clean_post_trips_no_model_rule(model):
    report = _checker(model).check_texts([("p.md", COOKING.format(cat="料理",
                                                                  tags="パスタ, 時短レシピ"))])
    assert [f for f in report.findings if RULES[f.rule].model] == []


def test_unlikely_and_missing_tags(model):
    report = _checker(model).check_texts([
        ("a.md", COOKING.format(cat="料理", tags="パスタ, 時短レシピ, 温泉")),
        ("b.md", PYTHON.format(tags="Python")),
    ])
    unlikely = [f for f in report.findings if f.rule == "tag-unlikely"]
    assert [(f.path, f.fix.old) for f in unlikely] == [("a.md", "温泉")]
    assert "very unlikely here (0." in unlikely[0].message
    missing = [f for f in report.findings if f.rule == "tag-likely-missing"]
    # テスト first; the body's データベース (named, and a tag of the blog) may follow.
    assert [(f.path, f.fix.new) for f in missing][:1] == [("b.md", "テスト")]
    assert {f.fix.new for f in missing} <= {"テスト", "データベース"}
    assert missing[0].severity == "notice"


def test_a_post_without_tags_gets_the_models_tags_in_the_taxonomys_terms(model):
    suggester, _ = model
    text = PYTHON.replace("tags: [{tags}]\n", "")
    [raw] = [f for f in _checker(model).check_texts([("b.md", text)]).findings
             if f.rule == "tags-missing"]
    assert "'Python' (0." in raw.message
    taxonomy = Taxonomy(tag_aliases={"Python": "python3"}, disallowed_tags=("テスト",))
    [f] = [f for f in Checker(taxonomy, suggester).check_texts([("b.md", text)]).findings
           if f.rule == "tags-missing"]
    assert "'python3' (0." in f.message
    assert "'Python'" not in f.message and "'テスト'" not in f.message


def test_no_missing_tag_is_suggested_when_the_post_is_full(model):
    full = PYTHON.format(tags="Python, データベース, JavaScript, 和食")
    report = _checker(model).check_texts([("b.md", full)])
    assert not [f for f in report.findings if f.rule == "tag-likely-missing"]


def test_unknown_category_names_the_models_best(model):
    report = _checker(model).check_texts([("p.md", COOKING.format(cat="グルメ",
                                                                  tags="パスタ"))])
    [f] = [f for f in report.findings if f.rule == "category-unknown"]
    assert "the model's best category is '料理'" in f.message and f.fix.new == "料理"


def test_documents_are_cached_per_model(model, tmp_path):
    cache = TokenCache(str(tmp_path / "cache"))
    checker = _checker(model, cache=cache, model_key="m1")
    post = parse_post(COOKING.format(cat="料理", tags="パスタ"), "p.md")
    first = checker.documents([post])
    calls = []
    original = checker.suggester.documents
    checker.suggester = copy.copy(checker.suggester)
    checker.suggester.documents = lambda *a, **k: calls.append(1) or original(*a, **k)
    assert checker.documents([post]) == [(list(first[0][0]), list(first[0][1]))]
    assert calls == []  # served from the cache
    checker.model_key = "m2"  # another model: its own entries
    checker.documents([post])
    assert calls == [1]


def test_model_rules_are_off_without_a_model(taxonomy):
    checker = Checker(taxonomy)
    assert not checker.uses_model
    assert all(checker.severity[r] == "off" for r in RULES if RULES[r].model)


def test_model_key_changes_with_the_card(model):
    card = model[1]
    assert card.key != dataclasses.replace(card, created="another day").key
    facts = dataclasses.replace(card.training, fingerprint="other posts")
    assert card.key != dataclasses.replace(card, training=facts).key


def test_resolve_with_the_fixture_config_needs_no_file(tmp_path):
    write(tmp_path / "_config.yml", (JEKYLL / "_config.yml").read_text(encoding="utf-8"))
    assert resolve_taxonomy(start=str(tmp_path)).categories == ("料理", "旅行", "プログラミング")


def test_scores_are_cached_per_model_and_text(model, tmp_path):
    cache = TokenCache(str(tmp_path / "cache"))
    post = parse_post(COOKING.format(cat="料理", tags="パスタ"), "p.md")
    first = _checker(model, cache=cache, model_key="m1").score([post])
    checker = _checker(model, cache=cache, model_key="m1")
    checker.suggester = copy.copy(checker.suggester)
    checker.suggester.score = lambda docs: pytest.fail("scored again")
    again = checker.score([post])
    assert again["p.md"].categories == pytest.approx(first["p.md"].categories)
    assert again["p.md"].tags == pytest.approx(first["p.md"].tags)
    edited = dataclasses.replace(post, body=post.body + "追記。")
    with pytest.raises(pytest.fail.Exception):
        checker.score([edited])  # a changed text is scored afresh


def test_a_malformed_tag_given_twice_is_also_a_duplicate():
    report = Checker(Taxonomy()).check_texts(
        [("x.md", '---\ntags: ["技術: LLM", "技術: LLM", " 和食", "和食"]\n---\n')])
    assert [(f.rule, f.fix.index) for f in report.findings] == [
        ("tag-malformed", 0), ("tag-duplicate", 1), ("tag-malformed", 2), ("tag-duplicate", 3)]


def test_parallel_scoring_gives_the_serial_scores(model, monkeypatch):
    import bunrui.classifier.check.scoring as scoring

    posts = load_corpus([JEKYLL]).posts[:6]
    serial = _checker(model).score(posts)
    monkeypatch.setattr(scoring, "_PARALLEL_MIN", 2)
    parallel = _checker(model, n_jobs=2).score(posts)
    assert list(parallel) == list(serial)
    for path in serial:
        assert parallel[path].categories == pytest.approx(serial[path].categories)
        assert parallel[path].tags == pytest.approx(serial[path].tags)


def test_parallel_scoring_after_parallel_training_in_one_process(monkeypatch, tmp_path):
    # Training and checking share one pool of worker processes; a second kind of pool
    # (joblib's) used to fail on the first one's leftover executor.
    import bunrui.classifier.check.scoring as scoring

    posts = load_corpus([JEKYLL]).posts
    suggester = Suggester(TrainingConfig(half_life_days=None)).fit(posts, n_jobs=2)
    monkeypatch.setattr(scoring, "_PARALLEL_MIN", 2)
    scores = _checker((suggester, None), n_jobs=2).score(posts[:6])
    assert len(scores) == 6


def test_model_notices_skip_tags_a_taxonomy_rule_already_reported(model):
    suggester, _ = model
    taxonomy = Taxonomy(categories=("料理", "旅行", "プログラミング"), thresholds=LOOSE,
                        disallowed_tags=("温泉",), max_tags=4)
    report = Checker(taxonomy, suggester).check_texts(
        [("a.md", COOKING.format(cat="料理", tags="パスタ, 温泉"))])
    rules = [(f.rule, f.fix.old) for f in report.findings if f.rule != "tag-likely-missing"]
    assert rules == [("tag-disallowed", "温泉")]  # and no tag-unlikely for 温泉
