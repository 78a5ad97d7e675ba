"""The service keeps to its published schema (schemathesis, every check), and a real
`bunrui serve` answers an oversized body with 413 even to clients that send it whole."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import JEKYLL
from hypothesis import HealthCheck, given, settings

from bunrui.classifier import Suggester, TrainingConfig, load_corpus, save_model
from bunrui.service.main import create_app
from bunrui.service.settings import Settings

TOKEN = "test-admin-token"
HOST = "127.0.0.1"  # loopback only
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    suggester = Suggester().fit(load_corpus([str(JEKYLL)]).posts, cache=None)
    report = suggester.report_
    folder = tmp_path_factory.mktemp("model") / "jekyll"
    save_model(suggester, str(folder), report.card(TrainingConfig()))
    return folder


# -- the schema says exactly what is accepted -------------------------------------------

def _drawable(strategy):
    """``strategy``, minus the draws schemathesis cannot make.

    To break a `maxLength` of 100,000 it asks Hypothesis for a longer string, past the
    32 KiB one draw can hold, and Hypothesis refuses (InvalidArgument). That draw is
    dropped; every other case is sent.
    """
    from hypothesis import reject
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument

    @st.composite
    def draw_case(draw):
        try:
            return draw(strategy)
        except InvalidArgument as exc:
            if "min_size is larger than Hypothesis supports" not in str(exc):
                raise
            reject()

    return draw_case()


def test_every_schemathesis_check_passes(model_dir):
    """Generated requests to every operation (reload included), valid and invalid, under
    every schemathesis check: valid ones are accepted, invalid ones refused, and each
    answer has a documented status, content type, headers and body. 40 examples per
    operation by default; BUNRUI_CONFORMANCE_EXAMPLES=N asks for more (docs/benchmarks.md
    records a run of more than 2,000 cases)."""
    from schemathesis import GenerationMode, openapi
    from schemathesis.checks import CHECKS
    from schemathesis.config import SchemathesisConfig

    examples = int(os.environ.get("BUNRUI_CONFORMANCE_EXAMPLES", "40"))
    app = create_app(Settings(model=str(model_dir), admin_token=TOKEN, max_batch=4))
    # schemathesis calls the app without its lifespan: load the model as start-up would.
    assert app.state.holder.load()
    config = SchemathesisConfig.from_path(Path(__file__).with_name("schemathesis.toml"))
    api = openapi.from_asgi("/openapi.json", app, config=config)
    checks = CHECKS.get_all()
    assert {"positive_data_acceptance", "negative_data_rejection",
            "response_schema_conformance"} <= {c.__name__ for c in checks}
    operations = [result.ok() for result in api.get_all_operations()]
    assert {o.label for o in operations} >= {
        "POST /v1/suggest", "POST /v1/suggest/batch", "POST /v1/check", "GET /v1/labels",
        "GET /v1/model", "GET /healthz", "GET /readyz", "GET /metrics",
        "POST /v1/model/reload"}
    seen: dict[str, list[int]] = {}

    for operation in operations:
        strategy = operation.as_strategy(GenerationMode.POSITIVE)
        if operation.body or operation.query:  # something to get wrong
            strategy = strategy | operation.as_strategy(GenerationMode.NEGATIVE)

        @given(case=_drawable(strategy))
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case):
            headers = {"Authorization": f"Bearer {TOKEN}"} if "reload" in case.path else None
            response = case.call_and_validate(checks=checks, headers=headers)
            seen.setdefault(case.operation.label, []).append(response.status_code)

        run()
    # Both well-formed and malformed drafts were really sent.
    for label in ("POST /v1/suggest", "POST /v1/suggest/batch", "POST /v1/check"):
        assert {200, 422} <= set(seen[label]), label
    print(f"schemathesis: {sum(map(len, seen.values()))} cases, every check passed:",
          {label: len(codes) for label, codes in sorted(seen.items())})


# -- 413 over real HTTP -------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(model_dir):
    """`bunrui serve` in a child process on loopback, with a 4 KiB body limit."""
    port = _free_port()
    env = {**os.environ, "BUNRUI_MAX_BODY_BYTES": "4096"}
    server = subprocess.Popen(
        [sys.executable, "-m", "bunrui.service", "serve", "--model", str(model_dir),
         "--host", HOST, "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "bunrui serve stopped"
            assert time.monotonic() < deadline, "bunrui serve did not get ready"
            try:
                with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        yield f"http://{HOST}:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_a_client_that_sends_the_whole_body_gets_the_413(served):
    # urllib writes the whole body before it reads the answer: were the connection closed
    # with the body unread, it would see "connection reset by peer" instead.
    body = json.dumps({"text": "温泉" * 100_000}).encode()  # 1.2 MB, the limit is 4 KiB
    request = urllib.request.Request(f"{served}/v1/suggest", data=body,
                                     headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=30)
    assert caught.value.code == 413
    answer = json.loads(caught.value.read())
    assert answer["field"] == "body"
    assert answer["detail"] == "body: the request body is larger than 4096 bytes"


def test_after_a_drained_413_the_connection_serves_the_next_request(served):
    conn = http.client.HTTPConnection(served.removeprefix("http://"), timeout=30)
    try:
        def chunks():  # no Content-Length: sent chunked, counted as it arrives
            for _ in range(100):
                yield b"x" * 10_000

        conn.request("POST", "/v1/suggest", body=chunks(), encode_chunked=True,
                     headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        assert response.status == 413
        assert "4096 bytes" in json.loads(response.read())["detail"]
        conn.request("POST", "/v1/suggest", body=json.dumps({"text": "京都の温泉"}).encode(),
                     headers={"Content-Type": "application/json"})
        assert conn.getresponse().status == 200
    finally:
        conn.close()


def test_not_blank_means_the_same_in_the_schema_and_the_library():
    """The schema's pattern (an ECMAScript regex for clients) and the service's check
    agree with str.strip(), which the library uses, on every code point; a lone
    byte-order mark is blank too."""
    import re

    from bunrui.service.schemas import NOT_BLANK

    differ = [hex(c) for c in range(sys.maxunicode + 1)
              if (re.fullmatch(NOT_BLANK, chr(c)) is None) != (chr(c).isspace() or c == 0xFEFF)]
    assert differ == []
