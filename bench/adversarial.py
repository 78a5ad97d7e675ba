"""Hostile inputs against `bunrui serve` under load, and as files through the CLI (issue 11).

    python bench/adversarial.py [--model models/allforces] [--json out.json]

Part 1 starts `bunrui serve --workers 2` on a free 127.0.0.1 port and runs a load of
ordinary suggestions (real allforces posts of median length) at concurrency 8, while it
sends each hostile request of ``REQUESTS`` once, on a connection of its own. It reports
each hostile answer (status, seconds, the field named), worker deaths (the workers' pids
before and after, and uvicorn's log), 5xx answers and failed ordinary requests.

Part 2 writes the hostile texts of ``FILES`` as post files among 200 real posts and runs
`bunrui check`, `bunrui suggest` and `bunrui train` on the folder, each in a process of its
own, reporting which hostile files each named, its exit status and its peak memory
(RSS, and the anonymous memory that is the process's own, sampled from /proc).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from load_test import (
    CORPUS,
    DEFAULT_MODEL,
    HOST,
    ROOT,
    Server,
    children,
    median_drafts,
    memory,
    run_level,
    worker_pids,
)

from bunrui.classifier import PostError, read_post


# An alias bomb: each list names the one before nine times; the last holds 9 ** levels
# strings once expanded, in a few hundred bytes.
def bomb(levels: int, field: str = "title") -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "---\n" + "\n".join(lines) + f"\n{field}: *a{levels - 1}\n---\n本文\n"


def front(fields: str, body: str = "本文です。\n") -> str:
    return f"---\n{fields}\n---\n{body}"


HUGE_TITLE = "a" * 99_000  # inside a text's front matter: within the 100,000-char bound
# (name, the post's text): hostile as a draft or as a post file alike.
TEXTS = [
    ("alias-bomb-5", bomb(5)),
    ("alias-bomb-9", bomb(9)),
    ("alias-bomb-tags", bomb(7, "tags")),
    ("alias-self", front("title: &a [*a]")),
    ("date-feb-30", front("title: x\ndate: 2025-02-30")),
    ("date-month-13", front("title: x\ndate: 2025-13-45")),
    ("int-not-a-number", front("title: !!int abc")),
    ("timestamp-not-a-date", front("title: x\ndate: !!timestamp x")),
    ("float-not-a-number", front("title: !!float abc")),
    ("binary-not-base64", front("title: !!binary abc")),
    ("python-object-tag", front("title: !!python/object/apply:os.system ['touch /tmp/x']")),
    ("toml-bad-date", "+++\ntitle = 'x'\ndate = 2025-02-30\n+++\n本文\n"),
    ("yaml-nested-5000", front("title: " + "[" * 5000 + "]" * 5000)),
    ("toml-nested-5000", "+++\ntitle = " + "[" * 5000 + "]" * 5000 + "\n+++\n"),
    ("unclosed-front-matter", "---\ntitle: x\n本文\n"),
    ("tags-a-mapping", front("title: x\ntags: {a: 1}")),
    ("title-99k-letters", front(f"title: {HUGE_TITLE}")),
    ("body-100k-one-letter", front("title: x", "a" * 99_000)),
    ("body-100k-katakana", front("title: x", "ア" * 99_000)),
    ("body-unclosed-liquid", front("title: x", "{%" * 45_000)),
    ("body-unclosed-links", front("title: x", "[a](" * 24_000)),
    ("body-unclosed-script", front("title: x", "<script>" * 12_000)),
    ("body-emoji-only", front("title: 🎉", "😀" * 40_000)),
    ("many-tags", front("title: x\ntags: [" + ", ".join(f"t{i}" for i in range(5000)) + "]")),
    # Hugo's JSON front matter and the field lines of Pelican, Nikola and Org mode.
    ("json-nested-5000", '{"title": ' + "[" * 5000 + "]" * 5000 + "}\n本文\n"),
    ("json-unclosed", '{\n"title": "x",\n本文\n'),
    ("json-20000-values", '{"title": "x", "tags": [' + ", ".join(["1"] * 20_000) + "]}\n"),
    ("fields-12000", "Title: x\n" + "k: v\n" * 12_000 + "\n本文\n"),
    ("nikola-comment-unclosed", "<!--\n.. title: x\n" + ".. tags: a\n" * 8000),
    ("title-99k-latin-words", front("title: " + "Ab " * 33_000)),
]


def _json(payload: object) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


def _suggest(text: str) -> bytes:
    return _json({"text": text})


# (name, path, body, extra headers, the statuses that are right, the field a 4xx names)
REQUESTS: list[tuple[str, str, bytes, dict, set[int], str | None]] = [
    *[(f"suggest {name}", "/v1/suggest", _suggest(text), {}, {200, 422}, "text")
      for name, text in TEXTS],
    *[(f"check {name}", "/v1/check", _json({"text": text}), {}, {200, 422}, "text")
      for name, text in TEXTS[:16]],
    ("title 1 MB", "/v1/suggest", _json({"title": "a" * 1_000_000}), {}, {413, 422}, "title"),
    ("title 1,001 chars", "/v1/suggest", _json({"title": "a" * 1001}), {}, {422}, "title"),
    ("body 200k chars", "/v1/suggest", _json({"title": "x", "body": "ア" * 200_000}), {},
     {413, 422}, "body"),
    ("body 50 MB", "/v1/suggest", _json({"body": "a" * 50_000_000}), {}, {413}, "body"),
    ("JSON nested 100,000 deep", "/v1/suggest", b"[" * 100_000 + b"]" * 100_000, {},
     {413, 422}, "body"),
    ("JSON nested 10,000 deep", "/v1/suggest", b'{"text": ' + b"[" * 10_000 + b"]" * 10_000
     + b"}", {}, {422}, "body"),
    ("not UTF-8", "/v1/suggest", b'{"text": "\xff\xfe"}', {}, {400, 422}, "body"),
    ("not JSON", "/v1/suggest", b"title=x", {}, {400, 422}, "body"),
    ("JSON array", "/v1/suggest", b"[1, 2]", {}, {422}, "body"),
    ("NUL and lone surrogates", "/v1/suggest", b'{"title": "a\\u0000b\\ud800", '
     b'"body": "\\udfff\\u0000"}', {}, {200, 422}, None),
    ("limit as a string", "/v1/suggest", _json({"text": "x", "limit": "3"}), {}, {422},
     "limit"),
    ("limit 10^20", "/v1/suggest", _json({"text": "x", "limit": 10**20}), {}, {422}, "limit"),
    ("explain -1", "/v1/suggest", _json({"text": "x", "explain": -1}), {}, {422}, "explain"),
    ("text null", "/v1/suggest", _json({"text": None}), {}, {422}, "text"),
    ("number 1e999", "/v1/suggest", b'{"text": "x", "threshold": 1e999}', {}, {422},
     "threshold"),
    ("text with title", "/v1/suggest", _json({"text": "x", "title": "y"}), {}, {422}, None),
    ("empty draft", "/v1/suggest", _json({"text": "   "}), {}, {422}, "text"),
    ("batch of 10,000", "/v1/suggest/batch", _json({"documents": [{"text": "x"}] * 10_000}),
     {}, {413, 422}, "documents"),
    ("batch with a bomb", "/v1/suggest/batch", _json({"documents": [
        {"text": "ok"}, {"text": bomb(9)}]}), {}, {422}, "documents"),
    ("check rules ['']", "/v1/check", _json({"text": "x", "rules": [""]}), {}, {422},
     "rules"),
    ("check path with NUL", "/v1/check", _json({"text": "x", "path": "a\u0000.md"}), {},
     {422}, "path"),
    ("check strict 0", "/v1/check", _json({"text": "x", "strict": 0}), {}, {422}, "strict"),
    ("reload without a token", "/v1/model/reload", b"", {}, {401, 403, 404}, None),
]


def send(port: int, path: str, body: bytes, headers: dict, timeout: float = 30) -> dict:
    """One request on a connection of its own: status, seconds, the answer's field."""
    start = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", path, body=body,
                     headers={"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        payload = response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        return {"status": None, "seconds": time.perf_counter() - start, "error": repr(exc)}
    finally:
        conn.close()
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = {}
    field = answer.get("field") if isinstance(answer, dict) else None
    detail = str(answer.get("detail", ""))[:160] if isinstance(answer, dict) else ""
    return {"status": status, "seconds": time.perf_counter() - start, "field": field,
            "detail": detail}


def slow_client(port: int, seconds: float = 3.0) -> dict:
    """A valid request whose body trickles in over ``seconds``; timed from its last byte."""
    body = _suggest("ゆっくり届く下書き。" * 50)
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(b"POST /v1/suggest HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                     b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        pieces = [body[i : i + 64] for i in range(0, len(body), 64)]
        for piece in pieces:
            sock.sendall(piece)
            time.sleep(seconds / len(pieces))
        start = time.perf_counter()
        status = int(sock.recv(64).split()[1])
    return {"status": status, "seconds": time.perf_counter() - start, "field": None,
            "detail": f"body sent over {seconds:.0f} s"}


def judge(result: dict, statuses: set[int], field: str | None) -> list[str]:
    problems = []
    if result["status"] not in statuses:
        problems.append(f"status {result['status']} not in {sorted(statuses)}")
    if result["seconds"] > 1.0:
        problems.append(f"{result['seconds']:.2f} s")
    if field and result["status"] and 400 <= result["status"] < 500 and result["status"] != 413:
        named = str(result.get("field") or "") + " " + result.get("detail", "")
        if field not in named:
            problems.append(f"does not name {field!r}")
    return problems


def serve_part(model: str, load_requests: int) -> dict:
    drafts, _ = median_drafts(40)
    bodies = [_suggest(t) for t in drafts]
    server = Server(model, 2)
    try:
        server.wait_ready()
        before = sorted(worker_pids(server.process, 2))
        run_level(server.port, bodies, 2, 20)  # warm-up
        load: dict = {}
        loader = threading.Thread(target=lambda: load.update(
            run_level(server.port, bodies, 8, load_requests)))
        loader.start()
        time.sleep(1.0)
        hostile = []
        for name, path, body, headers, statuses, field in REQUESTS:
            result = send(server.port, path, body, headers)
            hostile.append({"name": name, **result, "problems": judge(result, statuses, field)})
        result = slow_client(server.port)
        hostile.append({"name": "slow client", **result,
                        "problems": judge(result, {200}, None)})
        still_loading = loader.is_alive()
        loader.join()
        after = sorted(worker_pids(server.process, 2))
        log = list(server.lines)
    finally:
        server.stop()
    deaths = [line for line in log if "died" in line.lower() or "segmentation" in line.lower()]
    return {"hostile": hostile, "load": load, "load_outlasted_hostile": still_loading,
            "workers_before": before, "workers_after": after, "worker_deaths": deaths,
            "server_5xx": sum(1 for h in hostile if (h["status"] or 0) >= 500)}


def _special_files(posts: Path) -> list[str]:
    """Files no editor writes: each must be skipped by name."""
    os.mkfifo(posts / "2026-01-02-fifo.md")
    (posts / "2026-01-03-dev-zero.md").symlink_to("/dev/zero")
    (posts / "2026-01-04-loop.md").symlink_to(posts / "2026-01-04-loop.md")
    with open(posts / "2026-01-06-50mb.md", "wb") as handle:
        handle.write(b"---\ntitle: x\n---\n")
        handle.write(b"a" * 50_000_000)
    (posts / "2026-01-07-latin1.md").write_bytes("---\ntitle: café\n---\n".encode("latin-1"))
    (posts / "2026-01-08-surrogate-bytes.md").write_bytes(b"---\ntitle: \xed\xa0\x80\n---\n")
    (posts / "2026-01-09-binary.md").write_bytes(bytes(range(256)) * 100)
    return ["fifo", "dev-zero", "loop", "50mb", "latin1", "surrogate-bytes", "binary"]


def _peaks(pid: int, stop: threading.Event, out: dict) -> None:
    """Sample the memory of ``pid`` and its worker processes every 50 ms until ``stop``:
    the largest of each figure over one process. RSS counts the pages of MeCab's dictionary
    (260 MB mapped read-only from the page cache, shared by every process) as they are read;
    RssAnon is what the process itself holds."""
    while not stop.wait(0.05):
        for process in (pid, *children(pid)):
            try:
                figures = memory(process)
            except OSError:
                continue
            for key in ("VmRSS", "RssAnon", "RssFile"):
                out[key] = max(out.get(key, 0), figures.get(key, 0))


def _run(argv: list[str]) -> dict:
    """A `bunrui` command: exit status, seconds, peak memory, its output."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "bunrui.service", *argv], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stop, peaks = threading.Event(), {}
    sampler = threading.Thread(target=_peaks, args=(process.pid, stop, peaks))
    sampler.start()
    out, err = process.communicate(timeout=1800)
    stop.set()
    sampler.join()
    shown = " ".join(os.path.relpath(a, ROOT) if a.startswith(str(ROOT)) else a for a in argv)
    return {"command": "bunrui " + re.sub(r"\S*bunrui-adversarial-\w+", "BLOG", shown),
            "exit": process.returncode,
            "seconds": round(time.perf_counter() - start, 1),
            "peak_rss_mib": round(peaks.get("VmRSS", 0)),
            "peak_anon_mib": round(peaks.get("RssAnon", 0)),
            "peak_file_mib": round(peaks.get("RssFile", 0)), "output": out + err}


def files_part(model: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bunrui-adversarial-"))
    try:
        posts = folder / "_posts"
        posts.mkdir()
        for path in sorted((CORPUS / "_posts").glob("*.md"))[-200:]:
            shutil.copy(path, posts / path.name)
        names = []
        for i, (name, text) in enumerate(TEXTS):
            (posts / f"2026-02-{i + 1:02d}-{name}.md").write_text(text, encoding="utf-8")
            names.append(name)
        names += _special_files(posts)
        unreadable = set()
        for path in sorted(posts.iterdir()):
            try:
                read_post(path)
            except PostError:
                unreadable.add(next(n for n in names if path.name.endswith(f"-{n}.md")))
        runs = [
            _run(["check", str(folder), "--model", model, "--format", "json", "--no-cache"]),
            _run(["suggest", "--model", model, "--json", str(posts)]),
            _run(["train", str(folder), "--out", str(folder / "model"), "--no-cache"]),
        ]
        # What each must name: suggest every draft (a suggestion or why not), check and
        # train the files they cannot read.
        for run, expected in zip(runs, (unreadable, set(names), unreadable), strict=True):
            output = run.pop("output")
            run["traceback"] = "Traceback" in output
            run["must_name"] = len(expected)
            run["not_named"] = sorted(n for n in expected if f"-{n}.md" not in output)
        return {"hostile_files": len(names), "unreadable": len(unreadable), "good_posts": 200,
                "runs": runs}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=os.path.relpath(DEFAULT_MODEL),
                        help="model folder")
    parser.add_argument("--load-requests", type=int, default=1200,
                        help="ordinary suggestions sent at concurrency 8 meanwhile")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)

    files = files_part(args.model)
    print(f"{files['hostile_files']} hostile files among {files['good_posts']} real posts "
          f"({files['unreadable']} unreadable as posts):")
    for run in files["runs"]:
        print(f"  {run['command']}: exit {run['exit']}, {run['seconds']} s, peak RSS "
              f"{run['peak_rss_mib']} MiB ({run['peak_anon_mib']} MiB its own, "
              f"{run['peak_file_mib']} MiB mapped files), named "
              f"{run['must_name'] - len(run['not_named'])}/{run['must_name']} "
              f"{run['not_named'] or ''}, traceback: {run['traceback']}")

    serve = serve_part(args.model, args.load_requests)
    bad = [h for h in serve["hostile"] if h["problems"]]
    for h in serve["hostile"]:
        print(f"{'FAIL' if h['problems'] else 'ok  '} {h['status']} {h['seconds']:6.3f} s  "
              f"{h['name']}: {h.get('field') or ''} {h.get('detail') or h.get('error', '')}"
              f"{'  <- ' + '; '.join(h['problems']) if h['problems'] else ''}")
    load = serve["load"]
    print(f"\n{len(serve['hostile'])} hostile requests: {len(bad)} with a problem; "
          f"{serve['server_5xx']} answered 5xx; slowest "
          f"{max(h['seconds'] for h in serve['hostile']):.2f} s")
    print(f"ordinary load: {load['requests']} requests at concurrency 8, {load['errors']} "
          f"failed, p99 {load['p99_ms']} ms (the load "
          f"{'outlasted' if serve['load_outlasted_hostile'] else 'ended before'} the hostile ones)")
    print(f"workers: {serve['workers_before']} before, {serve['workers_after']} after; "
          f"deaths logged: {len(serve['worker_deaths'])}")

    if args.json:
        Path(args.json).write_text(json.dumps({
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "serve": serve, "files": files}, indent=2, ensure_ascii=False) + "\n",
            encoding="utf-8")
    return 0 if not bad and not serve["worker_deaths"] and not load["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
