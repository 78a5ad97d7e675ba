"""Load test of `bunrui serve` on loopback (issue 3's figures).

    python bench/load_test.py [--model models/allforces] [--workers 2] [--json out.json]

Starts `bunrui serve --workers N` as a child process on a free 127.0.0.1 port, times it
from start to ready, then sends POST /v1/suggest with real posts of median length from
../shared/corpus/allforces from this process (a second process on loopback), at each
concurrency level, a bounded number of requests each. Reports requests/s, p50/p95/p99
latency and errors per level, and each worker's resident memory read from /proc.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "allforces"
DEFAULT_MODEL = ROOT / "models" / "allforces"
HOST = "127.0.0.1"  # loopback only


def median_drafts(n: int) -> tuple[list[str], int]:
    """The ``n`` posts closest to the corpus's median length, whole files as written."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "_posts").glob("*.md"))]
    if not texts:
        sys.exit(f"no posts under {CORPUS / '_posts'}")
    median = int(statistics.median(len(t) for t in texts))
    return sorted(texts, key=lambda t: abs(len(t) - median))[:n], median


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def memory(pid: int) -> dict[str, float]:
    """VmRSS, its anonymous and file-backed parts, and VmHWM (peak RSS) of a process, in MiB.

    File-backed pages are mostly MeCab's dictionary, mapped once per tagger (one tagger per
    thread) and shared through the page cache, but VmRSS counts every mapping.
    """
    out = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                key, value = line.split(":")
                out[key] = int(value.split()[0]) / 1024
    return out


def worker_pids(server: subprocess.Popen, workers: int) -> list[int]:
    if workers == 1:
        return [server.pid]
    # uvicorn's supervisor spawns the workers; multiprocessing's resource tracker is not one.
    return [p for p in children(server.pid) if "spawn_main" in cmdline(p)]


class Server:
    """`bunrui serve` in a child process; records when each worker finished starting."""

    def __init__(self, model: str, workers: int, threads: int | None = None,
                 admin_token: str | None = None) -> None:
        self.port = free_port()
        self.workers = workers
        self.command = [sys.executable, "-m", "bunrui.service", "serve", "--model", model,
                        "--host", HOST, "--port", str(self.port), "--workers", str(workers)]
        self.started_at = time.perf_counter()
        env = dict(os.environ)
        if threads:
            env["BUNRUI_THREADS"] = str(threads)
        if admin_token:
            env["BUNRUI_ADMIN_TOKEN"] = admin_token
        self.process = subprocess.Popen(self.command, cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, env=env)
        self.ready_times: list[float] = []
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())
            if "Application startup complete" in line:
                self.ready_times.append(time.perf_counter() - self.started_at)

    def wait_ready(self, timeout: float = 60) -> tuple[float, float]:
        """(seconds to the first 200 from /readyz, seconds until every worker started)."""
        deadline = self.started_at + timeout
        first = None
        while first is None:
            if self.process.poll() is not None or time.perf_counter() > deadline:
                sys.exit("the server did not start:\n" + "\n".join(self.lines))
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=1)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    first = time.perf_counter() - self.started_at
                conn.close()
            except OSError:
                pass
            if first is None:
                time.sleep(0.01)
        while len(self.ready_times) < self.workers:
            if time.perf_counter() > deadline:
                sys.exit("not every worker started:\n" + "\n".join(self.lines))
            time.sleep(0.01)
        return first, max(self.ready_times)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_level(port: int, bodies: list[bytes], concurrency: int, total: int,
              keep_alive: bool = True) -> dict:
    """``total`` requests from ``concurrency`` clients, one thread each, on keep-alive
    connections or (``keep_alive=False``) a new connection per request."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def client() -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            body = bodies[i % len(bodies)]
            start = time.perf_counter()
            if not keep_alive:
                conn.close()  # the next request connects anew
            try:
                conn.request("POST", "/v1/suggest", body=body,
                             headers={"Content-Type": "application/json"})
                response = conn.getresponse()
                payload = response.read()
                elapsed = time.perf_counter() - start
                ok = response.status == 200 and b'"category"' in payload
            except (OSError, http.client.HTTPException) as exc:
                elapsed, ok = time.perf_counter() - start, False
                payload = repr(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
            with lock:
                latencies.append(elapsed)
                if not ok:
                    errors.append(payload[:200].decode(errors="replace"))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000

    return {"concurrency": concurrency, "requests": len(latencies),
            "rps": round(len(latencies) / wall, 1), "p50_ms": round(pct(0.50), 1),
            "p95_ms": round(pct(0.95), 1), "p99_ms": round(pct(0.99), 1),
            "errors": len(errors), "first_error": errors[0] if errors else None}


def reloads_under_load(port: int, bodies: list[bytes], n: int, token: str, total: int,
                       new_connections: bool) -> dict:
    """A run at concurrency 8 while ``n`` reloads are asked for; then each worker's
    generation, as several answers of GET /v1/model show it."""
    result: dict = {}
    load = threading.Thread(target=lambda: result.update(
        run_level(port, bodies, 8, total, keep_alive=not new_connections)))
    load.start()
    statuses = []
    for _ in range(n):
        time.sleep(0.5)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.request("POST", "/v1/model/reload", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)
        conn.close()
    load.join()
    time.sleep(1.5)  # the other worker follows within a second
    generations = set()
    for _ in range(20):
        conn = http.client.HTTPConnection(HOST, port, timeout=5)  # new connections: any worker
        conn.request("GET", "/v1/model")
        generations.add(json.loads(conn.getresponse().read())["generation"])
        conn.close()
    return {**result, "reload_statuses": statuses, "generations": sorted(generations)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="model folder")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, help="BUNRUI_THREADS for the server")
    parser.add_argument("--levels", default="1,8,32", help="concurrency levels")
    parser.add_argument("--requests", type=int, default=400,
                        help="requests per level (concurrency 1: a quarter)")
    parser.add_argument("--drafts", type=int, default=40,
                        help="distinct posts of median length to cycle through")
    parser.add_argument("--new-connections", action="store_true",
                        help="a new connection per request instead of keep-alive ones")
    parser.add_argument("--reloads", type=int, default=0, metavar="N",
                        help="then N model reloads, 0.5 s apart, during one more run at "
                             "concurrency 8")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = parser.parse_args(argv)

    drafts, median = median_drafts(args.drafts)
    bodies = [json.dumps({"text": t}, ensure_ascii=False).encode() for t in drafts]
    lengths = sorted(len(t) for t in drafts)
    print(f"drafts: {len(drafts)} posts of {lengths[0]}-{lengths[-1]} characters "
          f"(corpus median {median})")

    token = secrets.token_hex(16) if args.reloads else None
    server = Server(args.model, args.workers, args.threads, token)
    reload_run = None
    try:
        first_ready, all_ready = server.wait_ready()
        pids = worker_pids(server.process, args.workers)
        idle = {pid: memory(pid) for pid in pids}
        print(f"start-up to ready: {first_ready:.2f} s to the first 200 from /readyz, "
              f"{all_ready:.2f} s until all {args.workers} workers started")
        run_level(server.port, bodies, 2, 20)  # warm-up: each worker's first requests
        levels = []
        for level in (int(x) for x in args.levels.split(",")):
            total = args.requests // 4 if level == 1 else args.requests
            result = run_level(server.port, bodies, level, max(total, level),
                               keep_alive=not args.new_connections)
            levels.append(result)
            print(f"concurrency {level:>2}: {result['rps']:6.1f} req/s  p50 {result['p50_ms']:6.1f}"
                  f" ms  p95 {result['p95_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms  "
                  f"errors {result['errors']}/{result['requests']}"
                  + (f"  first error: {result['first_error']}" if result["errors"] else ""))
        after = {pid: memory(pid) for pid in pids if os.path.exists(f"/proc/{pid}")}
        if args.reloads:
            reload_run = reloads_under_load(server.port, bodies, args.reloads, token,
                                            args.requests, args.new_connections)
            print(f"{args.reloads} reloads during {reload_run['requests']} requests at "
                  f"concurrency 8: {reload_run['rps']} req/s, p99 {reload_run['p99_ms']} ms, "
                  f"errors {reload_run['errors']}; reload answers "
                  f"{reload_run['reload_statuses']}; generations now "
                  f"{reload_run['generations']}")
        for pid in pids:
            end = after.get(pid, {})
            print(f"worker {pid}: RSS {idle[pid]['VmRSS']:.0f} MiB after start-up, "
                  f"{end.get('VmRSS', 0):.0f} MiB after the load ({end.get('RssAnon', 0):.0f} "
                  f"anonymous + {end.get('RssFile', 0):.0f} file-backed; peak "
                  f"{end.get('VmHWM', 0):.0f} MiB)")
        metrics = http.client.HTTPConnection(HOST, server.port, timeout=5)
        metrics.request("GET", "/metrics")
        counted = sum(float(m) for m in re.findall(
            r'bunrui_http_requests_total\{method="POST",route="/v1/suggest",status="200"\} (\S+)',
            metrics.getresponse().read().decode()))
        print(f"/metrics counted {counted:.0f} answered suggestions across workers")
    finally:
        server.stop()

    if args.json:
        Path(args.json).write_text(json.dumps({
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "connections": "new per request" if args.new_connections else "keep-alive",
            "drafts": {"count": len(drafts), "min_chars": lengths[0], "max_chars": lengths[-1],
                       "corpus_median_chars": median},
            "startup_s": {"first_ready": round(first_ready, 2), "all_ready": round(all_ready, 2)},
            "levels": levels,
            "reloads_under_load": reload_run,
            "workers_mib": [{"rss_idle": round(idle[p]["VmRSS"]),
                             "rss_after": round(after.get(p, {}).get("VmRSS", 0)),
                             "anon_after": round(after.get(p, {}).get("RssAnon", 0)),
                             "file_after": round(after.get(p, {}).get("RssFile", 0)),
                             "peak": round(after.get(p, {}).get("VmHWM", 0))} for p in pids],
        }, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
