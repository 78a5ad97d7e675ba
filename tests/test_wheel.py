"""The built wheel, installed in a fresh virtual environment, works on its own.

Slow (a build and an install, about a minute with pip's cache warm), and the only test
that sees bunrui as a user who ran `pip install bunrui` does: the default model comes from
the package, nothing from this source tree.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import DRAFTS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a new virtual environment with the wheel of this tree installed."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--wheel-dir", str(work / "dist"), str(ROOT)], check=True, timeout=600)
    wheel = next((work / "dist").glob("bunrui-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=120)
    subprocess.run([str(work / "venv" / "bin" / "pip"), "install", "--quiet", str(wheel)],
                   check=True, timeout=900)
    return work / "venv" / "bin"


def test_the_wheel_holds_no_top_level_generic_names(installed):
    site = next(installed.parent.glob("lib/python*/site-packages"))
    assert (site / "bunrui" / "models" / "allforces" / "metadata.json").is_file()
    assert not (site / "classifier").exists() and not (site / "service").exists()


def test_suggest_with_the_default_model(installed, tmp_path):
    done = subprocess.run([str(installed / "bunrui"), "suggest", "--json",
                           str(DRAFTS / "python-draft.md")], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["category"]["label"] and answer["tags"]


def test_serve_until_ready(installed, tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen([str(installed / "bunrui"), "serve", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "BUNRUI_WORKERS": "1"})
    try:
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline and status != 200:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
