"""The HTTP service: endpoints, errors, limits, reload, metrics, concurrency, schemathesis."""

from __future__ import annotations

import dataclasses
import json
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import DRAFTS, JEKYLL
from fastapi.testclient import TestClient

from bunrui.classifier import InputError, ModelError, PostError, Suggester, load_corpus, save_model
from bunrui.classifier.model.persistence import ARRAYS_FILE
from bunrui.service.cli import main as cli_main
from bunrui.service.deps import get_model
from bunrui.service.handlers import status_for
from bunrui.service.holder import LoadedModel
from bunrui.service.main import create_app
from bunrui.service.routes.page import STATIC
from bunrui.service.settings import Settings

TOKEN = "test-admin-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A model trained once on the fixture blog (no token cache)."""
    corpus = load_corpus([str(JEKYLL)])
    suggester = Suggester().fit(corpus.posts, cache=None)
    report = suggester.report_
    folder = tmp_path_factory.mktemp("model") / "jekyll"
    save_model(suggester, str(folder), report.card(_config()))
    return folder


def _config():
    from bunrui.classifier import TrainingConfig

    return TrainingConfig()


def make_app(model: Path | str, **overrides):
    return create_app(Settings(model=str(model), **overrides))


@pytest.fixture(scope="module")
def client(model_dir):
    with TestClient(make_app(model_dir, admin_token=TOKEN)) as c:
        yield c


def draft(name: str) -> str:
    return (DRAFTS / name).read_text(encoding="utf-8")


def library_answer(client, text: str, **kwargs) -> dict:
    """What the library itself says, as `bunrui suggest --json` prints it."""
    suggester = client.app.state.holder.current.suggester
    answer = suggester.suggest_text(text, **{"explain": 5, **kwargs}).as_dict()
    answer.setdefault("explanations", {"category": {}, "tags": {}})
    return json.loads(json.dumps(answer))


# -- suggestions ---------------------------------------------------------------------

def test_suggest_answers_like_the_cli_plus_explanations(client):
    text = draft("python-draft.md")
    response = client.post("/v1/suggest", json={"text": text})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"category", "categories", "tags", "tag_candidates", "explanations"}
    assert body == library_answer(client, text)
    assert body["category"]["label"] == "プログラミング"
    assert {t["label"] for t in body["tags"]} & {"Python", "テスト"}
    # The front matter's own labels ("技術メモ", "雑記") are never evidence or answers.
    assert "雑記" not in {t["label"] for t in body["tags"]}
    why = body["explanations"]
    assert list(why["category"]) == ["プログラミング"]
    assert set(why["tags"]) == {t["label"] for t in body["tags"]}
    assert all(0 < len(terms) <= 5 for terms in why["tags"].values())


def test_cli_json_has_the_same_keys(client, model_dir, capsys):
    assert cli_main(["suggest", "--json", "--model", str(model_dir),
                     str(DRAFTS / "kyoto-draft.md")]) == 0
    printed = json.loads(capsys.readouterr().out)
    served = client.post("/v1/suggest", json={"text": draft("kyoto-draft.md"), "explain": 0})
    assert set(printed) - {"path"} == set(served.json()) - {"explanations"}
    assert {k: printed[k] for k in served.json() if k != "explanations"} == {
        k: v for k, v in served.json().items() if k != "explanations"}


def test_title_and_body_form_equals_the_text_form(client):
    title, body = "京都の温泉で一泊", "嵐山を歩いてから温泉に入りました。紅葉がきれいでした。"
    as_text = client.post("/v1/suggest", json={"text": f"---\ntitle: {title}\n---\n{body}"})
    as_parts = client.post("/v1/suggest", json={"title": title, "body": body})
    assert as_text.status_code == as_parts.status_code == 200
    assert as_text.json() == as_parts.json()
    assert as_parts.json()["category"]["label"] == "旅行"


def test_plain_text_draft(client):
    response = client.post("/v1/suggest", json={"text": draft("plain.txt")})
    assert response.status_code == 200
    assert response.json()["category"]["label"] == "料理"


def test_limit_threshold_and_explain(client):
    text = draft("kyoto-draft.md")
    one = client.post("/v1/suggest", json={"text": text, "limit": 1}).json()
    assert len(one["tags"]) == 1
    three = client.post("/v1/suggest", json={"text": text, "limit": 3, "threshold": 0}).json()
    assert [t["label"] for t in three["tags"]] == [t["label"] for t in three["tag_candidates"][:3]]
    none = client.post("/v1/suggest", json={"text": text, "explain": 0}).json()
    assert none["explanations"] == {"category": {}, "tags": {}, "similar_posts": []}
    two = client.post("/v1/suggest", json={"text": text, "explain": 2}).json()
    assert all(len(terms) <= 2 for terms in two["explanations"]["tags"].values())


def test_batch_answers_in_order_like_single_requests(client):
    texts = [draft("python-draft.md"), draft("kyoto-draft.md"), draft("plain.txt")]
    documents = [{"text": t} for t in texts] + [{"title": "パスタ", "body": "トマト缶で作る"}]
    response = client.post("/v1/suggest/batch", json={"documents": documents, "limit": 2})
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 4
    for document, result in zip(documents, results, strict=True):
        single = client.post("/v1/suggest", json={**document, "limit": 2}).json()
        assert result == single


def test_batch_maximum_is_enforced_and_published(model_dir):
    with TestClient(make_app(model_dir, max_batch=2)) as c:
        too_many = c.post("/v1/suggest/batch", json={"documents": [{"text": "温泉"}] * 3})
        assert too_many.status_code == 422
        assert too_many.json()["field"] == "documents"
        assert "at most 2" in too_many.json()["detail"]
        schema = c.get("/openapi.json").json()
        documents = schema["components"]["schemas"]["BatchRequest"]["properties"]["documents"]
        assert documents["maxItems"] == 2


def test_batch_error_names_the_document(client):
    documents = [{"text": "温泉"}, {"text": "---\ntitle: ''\n---\n"}]
    response = client.post("/v1/suggest/batch", json={"documents": documents})
    assert response.status_code == 422
    assert response.json()["field"] == "documents.1.text"
    blank = client.post("/v1/suggest/batch", json={"documents": [{"text": "温泉"}, {"text": " "}]})
    assert blank.status_code == 422
    assert blank.json()["field"] == "documents.1.text"


# -- bad input -------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field"), [
    ({"text": ""}, "text"),
    ({"text": "   \n\t"}, "text"),
    ({"text": 42}, "text"),
    ({"text": ["a"]}, "text"),
    ({"text": "温泉", "limit": 0}, "limit"),
    ({"text": "温泉", "limit": 51}, "limit"),
    ({"text": "温泉", "limit": "three"}, "limit"),
    ({"text": "温泉", "limit": 1.5}, "limit"),
    ({"text": "温泉", "threshold": -0.1}, "threshold"),
    ({"text": "温泉", "threshold": 1.5}, "threshold"),
    ({"text": "温泉", "explain": 21}, "explain"),
    ({"text": "温泉", "path": "/etc/passwd"}, "path"),
    ({"text": "温泉", "title": "二つの形"}, "body"),
    ({"title": "", "body": "  "}, "body"),
    ({}, "body"),
    ({"text": "\ud800 lone surrogate"}, "text"),
    ({"text": "---\ntitle: [\n---\n本文"}, "text"),
    # Exactly what the schema allows: no null for a string, no 0 for a bool, no "2" or
    # true for an integer, and every text bounded.
    ({"text": None, "title": "t"}, "text"),
    ({"title": "t", "body": None}, "body"),
    ({"text": "温泉", "limit": "2"}, "limit"),
    ({"text": "温泉", "limit": True}, "limit"),
    ({"text": "温泉", "threshold": False}, "threshold"),
    ({"title": "温泉" * 501, "body": "本文"}, "title"),
    ({"text": "温泉" * 50_001}, "text"),
    ({"title": "温泉", "body": "本" * 100_001}, "body"),
])
def test_bad_input_is_422_naming_the_field(client, body, field):
    # Sent as ASCII-escaped JSON: a lone surrogate is valid JSON, not valid UTF-8.
    response = client.post("/v1/suggest", content=json.dumps(body).encode(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    answer = response.json()
    assert answer["field"] == field
    assert answer["detail"].startswith(field)


@pytest.mark.parametrize("raw", [b"{", b"{\"text\": }", b"[1, 2]", b"\"text\"", b"\xff\xfe",
                                 b"\x80\x81"])
def test_malformed_json_is_422(client, raw):
    response = client.post("/v1/suggest", content=raw,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["field"] == "body"


def test_json_nested_too_deeply_says_so(client):
    nested = b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post("/v1/suggest", content=nested,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["field"] == "body"
    assert response.json()["detail"].startswith("body: JSON nested too deeply")


def test_a_body_that_is_not_utf8_says_where(client):
    response = client.post("/v1/suggest", content=b'{"text": "\xff"}',
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"] == "body: malformed JSON (not UTF-8 text: byte 10 is 0xff)"


def test_a_whole_number_written_as_a_float_is_an_integer(client):
    # JSON Schema's "integer" includes 2.0, so the schema allows it: so does the service.
    response = client.post("/v1/suggest", json={"text": "温泉", "limit": 2.0, "explain": 1.0})
    assert response.status_code == 200
    assert len(response.json()["tags"]) <= 2


def test_threshold_nan_is_not_a_server_error(client):
    response = client.post("/v1/suggest", content='{"text": "温泉", "threshold": NaN}'.encode(),
                           headers={"Content-Type": "application/json"})
    assert response.status_code in (200, 422)


def test_body_over_the_limit_is_413_by_content_length(model_dir):
    with TestClient(make_app(model_dir, max_body_bytes=2048)) as c:
        fits = c.post("/v1/suggest", json={"text": "温泉" * 100})
        assert fits.status_code == 200
        response = c.post("/v1/suggest", json={"text": "温泉" * 1000})
        assert response.status_code == 413
        assert response.json()["field"] == "body"


def test_body_over_the_limit_is_413_when_streamed(model_dir):
    def chunks():  # no Content-Length: sent chunked, counted as it arrives
        yield b'{"text": "'
        for _ in range(10):
            yield "温泉".encode() * 100
        yield b'"}'

    with TestClient(make_app(model_dir, max_body_bytes=2048)) as c:
        response = c.post("/v1/suggest", content=chunks(),
                          headers={"Content-Type": "application/json"})
        assert response.status_code == 413


def test_default_body_limit_is_one_mebibyte(client):
    response = client.post("/v1/suggest", json={"text": "あ" * (400 * 1024)})  # 1.2 MB UTF-8
    assert response.status_code == 413


@pytest.mark.parametrize(("error", "status"), [
    (InputError("x"), 422), (PostError("x"), 422), (ModelError("x"), 503),
])
def test_error_classes_map_to_statuses(error, status):
    assert status_for(error) == status


# -- no model --------------------------------------------------------------------------

def test_no_model_is_503_and_not_ready(tmp_path):
    with TestClient(make_app(tmp_path / "missing")) as c:
        assert c.get("/healthz").json() == {"status": "ok"}
        ready = c.get("/readyz")
        assert ready.status_code == 503
        assert "no model" in ready.json()["detail"]
        for response in (c.post("/v1/suggest", json={"text": "温泉"}),
                         c.post("/v1/suggest/batch", json={"documents": [{"text": "温泉"}]}),
                         c.get("/v1/labels"), c.get("/v1/model")):
            assert response.status_code == 503
            assert "no model" in response.json()["detail"]
        assert c.get("/").status_code == 200  # the page still loads and says why


def test_the_model_dependency_can_be_overridden(client, tmp_path):
    loaded = client.app.state.holder.current
    app = make_app(tmp_path / "missing")
    card = dataclasses.replace(loaded.card, labels={"categories": {"テスト用": 1}})
    app.dependency_overrides[get_model] = lambda: LoadedModel(
        loaded.suggester, card, loaded.loaded_at, 7)
    with TestClient(app) as c:
        assert c.get("/v1/model").json()["generation"] == 7
        assert c.get("/v1/labels").json()["categories"] == [{"label": "テスト用", "count": 1}]
        assert c.post("/v1/suggest", json={"text": "温泉"}).status_code == 200


# -- model, labels, health ---------------------------------------------------------------

def test_labels_model_card_health(client, model_dir):
    labels = client.get("/v1/labels").json()
    card = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert [c["label"] for c in labels["categories"]] == list(card["labels"]["categories"])
    assert {t["label"]: t["count"] for t in labels["tags"]} == card["labels"]["tags"]
    info = client.get("/v1/model").json()
    assert info["card"] == card
    assert info["generation"] >= 1
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"


# -- reload ----------------------------------------------------------------------------

def test_reload_is_off_without_an_admin_token(model_dir):
    with TestClient(make_app(model_dir)) as c:
        assert c.post("/v1/model/reload").status_code == 404
        assert "/v1/model/reload" not in c.get("/openapi.json").json()["paths"]


def test_reload_needs_the_token(client):
    assert client.post("/v1/model/reload").status_code == 401
    wrong = client.post("/v1/model/reload", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"


def test_reload_swaps_the_model_and_a_failed_reload_keeps_the_old_one(model_dir, tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(model_dir, folder)
    with TestClient(make_app(folder, admin_token=TOKEN)) as c:
        before = c.post("/v1/suggest", json={"text": draft("plain.txt")}).json()
        first = c.get("/v1/model").json()["generation"]
        ok = c.post("/v1/model/reload", headers=AUTH)
        assert ok.status_code == 200
        assert ok.json()["reloaded"] is True
        assert c.get("/v1/model").json()["generation"] == first + 1

        (folder / ARRAYS_FILE).write_bytes(b"not an array")
        failed = c.post("/v1/model/reload", headers=AUTH)
        assert failed.status_code == 409
        assert failed.json()["reloaded"] is False
        assert "corrupt" in failed.json()["detail"]
        assert "still serving the previous model" in failed.json()["detail"]
        assert failed.json()["model"]["generation"] == first + 1
        after = c.post("/v1/suggest", json={"text": draft("plain.txt")})
        assert after.status_code == 200
        assert after.json() == before
        assert 'bunrui_model_reloads_total{outcome="failed"} 1.0' in c.get("/metrics").text


def test_requests_in_flight_during_reloads_all_succeed(model_dir):
    texts = [draft(n) for n in ("python-draft.md", "kyoto-draft.md", "plain.txt")]
    with TestClient(make_app(model_dir, admin_token=TOKEN)) as c:
        expected = [c.post("/v1/suggest", json={"text": t}).json() for t in texts]
        stop = threading.Event()

        def reloads():
            while not stop.is_set():
                c.post("/v1/model/reload", headers=AUTH)

        reloader = threading.Thread(target=reloads)
        reloader.start()
        try:
            with ThreadPoolExecutor(4) as pool:
                answers = list(pool.map(
                    lambda i: c.post("/v1/suggest", json={"text": texts[i % 3]}), range(30)))
        finally:
            stop.set()
            reloader.join()
        assert [a.status_code for a in answers] == [200] * 30
        assert [a.json() for a in answers] == [expected[i % 3] for i in range(30)]
        assert c.get("/v1/model").json()["generation"] > 1


# -- concurrency ------------------------------------------------------------------------

def test_concurrent_answers_equal_sequential_ones(model_dir, monkeypatch):
    from bunrui.classifier.text import tokens

    created = []
    real_tagger = tokens.fugashi.Tagger

    def counting_tagger(*args):
        created.append(threading.get_ident())
        return real_tagger(*args)

    texts = [draft(n) for n in ("python-draft.md", "kyoto-draft.md", "plain.txt")]
    texts += [p.read_text(encoding="utf-8") for p in sorted(JEKYLL.rglob("*.md"))[:13]]
    with TestClient(make_app(model_dir, threads=6)) as c:
        sequential = [c.post("/v1/suggest", json={"text": t}).json() for t in texts]
        monkeypatch.setattr(tokens.fugashi, "Tagger", counting_tagger)
        with ThreadPoolExecutor(8) as pool:
            for _ in range(3):
                concurrent = list(pool.map(
                    lambda t: c.post("/v1/suggest", json={"text": t}).json(), texts))
                assert concurrent == sequential
    # One MeCab tagger per worker thread, reused: never one per request.
    assert len(created) == len(set(created)) <= 6


# -- metrics, CORS, the page, docs ------------------------------------------------------

def test_metrics_count_requests_by_route_and_status(model_dir):
    with TestClient(make_app(model_dir, max_body_bytes=2048)) as c:
        c.post("/v1/suggest", json={"text": "温泉"})
        c.post("/v1/suggest", json={"text": ""})
        c.post("/v1/suggest", json={"text": "温泉" * 1000})
        c.get("/no/such/page")
        response = c.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
    for status in ("200", "422", "413"):
        assert (f'bunrui_http_requests_total{{method="POST",route="/v1/suggest",'
                f'status="{status}"}} 1.0') in text
    assert 'route="unmatched",status="404"' in text
    assert ('bunrui_http_request_duration_seconds_bucket{le="+Inf",method="POST",'
            'route="/v1/suggest",status="200"} 1.0') in text
    assert "/no/such/page" not in text


def test_cross_origin_requests_are_off_unless_configured(model_dir):
    origin = {"Origin": "http://editor.example"}
    with TestClient(make_app(model_dir)) as c:
        response = c.get("/healthz", headers=origin)
        assert "access-control-allow-origin" not in response.headers
    with TestClient(make_app(model_dir, cors_origins=["http://editor.example"])) as c:
        response = c.get("/healthz", headers=origin)
        assert response.headers["access-control-allow-origin"] == "http://editor.example"
        other = c.get("/healthz", headers={"Origin": "http://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


def test_settings_come_from_bunrui_environment_variables(monkeypatch):
    monkeypatch.setenv("BUNRUI_MODEL", "/srv/model")
    monkeypatch.setenv("BUNRUI_MAX_BATCH", "3")
    monkeypatch.setenv("BUNRUI_CORS_ORIGINS", "http://a.example, http://b.example")
    monkeypatch.setenv("BUNRUI_ADMIN_TOKEN", "")
    settings = Settings()
    assert settings.model == "/srv/model"
    assert settings.max_batch == 3
    assert settings.cors_origins == ["http://a.example", "http://b.example"]
    assert settings.admin_token is None
    assert (settings.host, settings.port, settings.max_body_bytes) == ("127.0.0.1", 8000, 1 << 20)


def test_the_page_is_japanese_self_contained_and_locked_down(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="ja">' in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    for name in ("index.html", "app.js", "app.css"):  # no CDN, no fetch from elsewhere
        source = (STATIC / name).read_text(encoding="utf-8")
        assert "http://" not in source and "https://" not in source and "//cdn" not in source
    assert client.get("/static/../settings.py").status_code == 404
    assert client.get("/static/index.html").status_code == 404


def test_docs_are_served_without_a_cdn(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr" not in docs.text
    assert client.get("/openapi.json").json()["info"]["title"] == "bunrui"


# -- the command ------------------------------------------------------------------------

def test_serve_stops_with_a_clear_message_without_a_model(tmp_path, capsys):
    assert cli_main(["serve", "--model", str(tmp_path / "missing"), "--port", "0"]) == 1
    assert "no model here" in capsys.readouterr().err


def test_serve_passes_its_options_on(model_dir, monkeypatch, capsys):
    seen = {}
    monkeypatch.setattr("bunrui.service.cli.serve.run_server",
                        lambda s: seen.setdefault("settings", s))
    assert cli_main(["serve", "--model", str(model_dir), "--port", "8123", "--workers", "2"]) == 0
    settings = seen["settings"]
    assert (settings.model, settings.port, settings.workers) == (str(model_dir), 8123, 2)
    assert settings.host == "127.0.0.1"
    assert "http://127.0.0.1:8123/" in capsys.readouterr().out


def test_serve_follows_a_taxonomy_and_stops_at_a_broken_one(model_dir, tmp_path, monkeypatch,
                                                           capsys):
    seen = {}
    monkeypatch.setattr("bunrui.service.cli.serve.run_server",
                        lambda s: seen.setdefault("settings", s))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bunrui.toml").write_text('[tags]\ndisallowed = ["雑記"]\n', encoding="utf-8")
    assert cli_main(["serve", "--model", str(model_dir), "--taxonomy", "bunrui.toml"]) == 0
    assert seen["settings"].taxonomy == str(tmp_path / "bunrui.toml")
    (tmp_path / "broken.toml").write_text("[tags\n", encoding="utf-8")
    assert cli_main(["serve", "--model", str(model_dir), "--taxonomy", "broken.toml"]) == 1
    err = capsys.readouterr().err
    assert "broken.toml" in err and "Traceback" not in err


def test_serve_rejects_a_bad_port(model_dir, capsys):
    assert cli_main(["serve", "--model", str(model_dir), "--port", "70000"]) == 1
    assert "port" in capsys.readouterr().err


# -- transport ------------------------------------------------------------------------

def test_served_connections_turn_nagle_off(monkeypatch):
    """uvicorn's multi-worker socket would leave Nagle on: 40 ms more per kept-alive request."""
    import socket

    from uvicorn.protocols.http.auto import AutoHTTPProtocol

    from bunrui.service.transport import NoDelayHTTPProtocol

    monkeypatch.setattr(AutoHTTPProtocol, "connection_made", lambda self, transport: None)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0) as sock:  # protocol 0, as uvicorn
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0

        class Transport:
            def get_extra_info(self, name):
                return sock if name == "socket" else None

        NoDelayHTTPProtocol.connection_made(object.__new__(NoDelayHTTPProtocol), Transport())
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


ALIAS_BOMB = ("---\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
              + "".join(f"b{i}: &b{i} [{', '.join([f'*{p}'] * 9)}]\n"
                        for i, p in enumerate(["a", *(f"b{i}" for i in range(8))]))
              + "title: *b8\n---\n本文\n")
HOSTILE_DRAFTS = [
    pytest.param(ALIAS_BOMB, "alias bomb", id="alias-bomb"),
    pytest.param("---\ntitle: x\ndate: 2025-02-30\n---\n本文", "2025-02-30", id="feb-30"),
    pytest.param("---\ntitle: x\ndate: 2025-13-45\n---\n本文", "2025-13-45", id="month-13"),
    pytest.param("---\ntitle: !!int abc\n---\n本文", "'abc'", id="int-abc"),
    pytest.param("---\ndate: !!timestamp x\n---\n本文", "'x'", id="timestamp-x"),
    pytest.param("+++\ndate = 2025-02-30\n+++\n本文", "date", id="toml-date"),
]


@pytest.mark.parametrize(("text", "words"), HOSTILE_DRAFTS)
def test_front_matter_that_cannot_be_built_is_422(client, text, words):
    for path, body in (("/v1/suggest", {"text": text}),
                       ("/v1/suggest/batch", {"documents": [{"text": "温泉"}, {"text": text}]})):
        response = client.post(path, json=body)
        assert response.status_code == 422, response.text
        assert response.json()["field"] in ("text", "documents.1.text")
        assert words in response.json()["detail"]


@pytest.mark.parametrize("text", [
    "---\ntitle: " + "a" * 99_000 + "\n---\n本文",  # past where MeCab crashed on a title
    "ア" * 99_000,  # quadratic in MeCab
    "{%" * 49_000,  # quadratic in extraction
])
def test_long_runs_are_suggested_for(client, text):
    assert client.post("/v1/suggest", json={"text": text}).status_code == 200
