"""POST /v1/check: the findings of `bunrui check --format json` for one posted draft."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, JEKYLL
from fastapi.testclient import TestClient

from bunrui.classifier import Suggester, TrainingConfig, load_corpus, save_model
from bunrui.classifier.check import Checker
from bunrui.classifier.taxonomy import read_taxonomy
from bunrui.service.findings import sort_findings
from bunrui.service.main import create_app
from bunrui.service.settings import Settings

TAXONOMY = FIXTURES / "check" / "site" / "bunrui.toml"
DRAFT = ("---\ntitle: \"トマト缶のパスタ\"\ncategories: [レシピ]\ntags: [パスタ, 時短, パスタ]\n"
         "---\n\nトマト缶とにんにくでソースを作り、茹でたパスタに絡めます。\n")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    suggester = Suggester().fit(load_corpus([str(JEKYLL)]).posts)
    report = suggester.report_
    folder = tmp_path_factory.mktemp("model") / "jekyll"
    save_model(suggester, str(folder), report.card(TrainingConfig()))
    return folder


@pytest.fixture(scope="module")
def client(model_dir):
    app = create_app(Settings(model=str(model_dir), taxonomy=str(TAXONOMY)))
    with TestClient(app) as c:
        yield c


def test_findings_are_those_of_the_json_format(client):
    response = client.post("/v1/check", json={"text": DRAFT, "path": "_posts/pasta.md"})
    assert response.status_code == 200
    body = response.json()
    assert {f["rule"] for f in body["findings"]} >= {"category-deprecated", "tag-alias",
                                                      "tag-duplicate"}
    assert body["errors"] == 2 and body["passed"] is False
    assert "bunrui.toml" in body["taxonomy"]
    # The same findings, in the same order, as the library (and so `--format json`) gives.
    suggester = client.app.state.holder.current.suggester
    card = client.app.state.holder.current.card
    from bunrui.classifier.taxonomy import resolve_taxonomy

    checker = Checker(resolve_taxonomy(str(TAXONOMY), card=card), suggester)
    expected = sort_findings(checker.check_texts([("_posts/pasta.md", DRAFT)]).findings)
    assert body["findings"] == [f.as_dict() for f in expected]
    first = body["findings"][0]
    assert set(first) == {"rule", "severity", "path", "line", "field", "message", "fix"}


def test_a_clean_draft_passes(client):
    text = DRAFT.replace("[レシピ]", "[料理]").replace("[パスタ, 時短, パスタ]", "[パスタ, 和食]")
    body = client.post("/v1/check", json={"text": text, "rules": ["tag-alias"]}).json()
    assert body["findings"] == [] and body["passed"] is True


def test_strict_counts_warnings(client):
    text = DRAFT.replace("[レシピ]", "[料理]").replace("[パスタ, 時短, パスタ]", "[パスタ, 時短]")
    assert client.post("/v1/check", json={"text": text}).json()["passed"] is True
    assert client.post("/v1/check", json={"text": text, "strict": True}).json()["passed"] is False


def test_without_front_matter_is_a_finding_not_an_error(client):
    body = client.post("/v1/check", json={"text": "ただの文章です。"}).json()
    assert [f["rule"] for f in body["findings"]] == ["front-matter-missing"]
    assert body["findings"][0]["path"] == "draft.md"


@pytest.mark.parametrize("payload, field", [
    ({"text": "   "}, "text"),
    ({"text": DRAFT, "rules": ["nope"]}, "rules"),
    ({"text": DRAFT, "extra": 1}, "extra"),
    ({}, "text"),
    # Exactly what the schema allows: a bool is true or false, a rule id one it lists.
    ({"text": DRAFT, "strict": 0}, "strict"),
    ({"text": DRAFT, "rules": [""]}, "rules"),
    ({"text": None}, "text"),
    ({"text": DRAFT, "path": "a\0b"}, "path"),
    ({"text": "温泉" * 50_001}, "text"),
])
def test_bad_requests_are_422_naming_the_field(client, payload, field):
    response = client.post("/v1/check", json=payload)
    assert response.status_code == 422
    assert field in response.json()["field"]


def test_without_a_configured_file_the_model_card_is_the_taxonomy(model_dir):
    app = create_app(Settings(model=str(model_dir), taxonomy=None))
    with TestClient(app) as c:
        body = c.post("/v1/check", json={"text": DRAFT}).json()
    unknown = [f for f in body["findings"] if f["rule"] == "category-unknown"]
    assert unknown and "the model's best category is '料理'" in unknown[0]["message"]
    assert body["taxonomy"] == "categories from the model card"


def test_a_broken_taxonomy_file_is_reported(model_dir, tmp_path):
    bad = tmp_path / "bunrui.toml"
    bad.write_text("[rules]\nx = \"error\"\n[tags\n", encoding="utf-8")
    app = create_app(Settings(model=str(model_dir), taxonomy=str(bad)))
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.post("/v1/check", json={"text": DRAFT})
    assert response.status_code == 400 and "invalid TOML" in response.json()["detail"]


def test_the_fixture_taxonomy_is_what_the_cli_reads():
    assert read_taxonomy(TAXONOMY).categories == ("料理", "旅行", "プログラミング")


def test_suggestions_follow_the_same_taxonomy(model_dir, tmp_path):
    """Nothing is suggested that /v1/check would flag under the service's taxonomy."""
    from bunrui.classifier.conform import conform
    from bunrui.classifier.taxonomy import resolve_taxonomy

    rules = tmp_path / "bunrui.toml"
    rules.write_text('[tags]\ndisallowed = ["温泉"]\n\n[tags.aliases]\n"京都" = "京都観光"\n',
                     encoding="utf-8")
    app = create_app(Settings(model=str(model_dir), taxonomy=str(rules)))
    text = "# 京都の温泉旅\n\n京都で温泉に入り、旅館で和食を食べた一人旅の記録です。"
    with TestClient(app) as c:
        loaded = c.app.state.holder.current
        answer = c.post("/v1/suggest", json={"text": text, "explain": 2}).json()
        batch = c.post("/v1/suggest/batch", json={"documents": [{"text": text}],
                                                  "explain": 2}).json()
    raw = loaded.suggester.suggest_text(text, explain=2)
    assert {"京都", "温泉"} <= {t.label for t in raw.tags}
    tags = [t["label"] for t in answer["tags"]]
    assert "京都観光" in tags and not {"京都", "温泉"} & set(tags)
    assert "京都観光" in answer["explanations"]["tags"]
    expected = conform(raw, resolve_taxonomy(str(rules), card=loaded.card)).as_dict()
    assert {k: answer[k] for k in expected} == expected
    assert batch["results"][0] == answer


@pytest.mark.parametrize(("text", "line"), [
    ("---\ntitle: x\ndate: 2025-02-30\n---\n本文", 3),
    ("---\na: &a [x, x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]"
     "\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, "
     "*c, *c]\ntitle: *d\n---\n本文", 2),  # 11,000 strings once expanded
])
def test_front_matter_that_cannot_be_built_is_a_finding(client, text, line):
    body = client.post("/v1/check", json={"text": text}).json()
    assert [(f["rule"], f["line"]) for f in body["findings"]] == [("front-matter-invalid", line)]
    assert body["passed"] is False
