"""How long `bunrui check` takes on the user's blog, timed as a user runs it (a subprocess).

Reads ../shared/corpus/allforces. Three timings, each including start-up and model load:

  cold:    every post of the blog, with the default model and every rule, token cache empty;
  warm:    the same again, cache filled by the cold run (median of --repeat runs);
  changed: a pull request's 3 changed posts, found with --changed-since in a git copy of
           the blog (median of --repeat runs; the cache holds nothing of those 3 posts).

Targets (issue 4): cold <= 30 s, warm <= 5 s, changed <= 3 s on the 2-core machine.

    .venv/bin/python bench/check_speed.py [--model models/allforces] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "allforces"
# `python -m bunrui.service` is what the `bunrui` entry point runs.
BUNRUI = [sys.executable, "-m", "bunrui.service"]
ENV = dict(os.environ)
TAXONOMY = ROOT / "docs" / "examples" / "allforces.bunrui.toml"


def timed(args: list[str], cwd: str | None = None) -> tuple[float, int, str]:
    started = time.perf_counter()
    done = subprocess.run(BUNRUI + args, cwd=cwd, capture_output=True, text=True, check=False,
                          env=ENV)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"bunrui failed ({done.returncode}): {done.stderr}")
    return seconds, done.returncode, done.stdout


def _count(output: str) -> int:
    return len(json.loads(output))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "allforces"))
    parser.add_argument("--taxonomy", default=str(TAXONOMY))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", help="write the timings here")
    args = parser.parse_args(argv)
    common = ["check", "--model", args.model, "--taxonomy", args.taxonomy, "--format", "json"]
    out: dict = {"model": os.path.relpath(args.model, ROOT), "cpus": os.cpu_count(),
                 "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="bunrui-check-speed-") as tmp:
        cache = os.path.join(tmp, "cache")
        cold, code, report = timed(common + ["--cache-dir", cache, str(CORPUS)])
        out["posts"] = sum(1 for _ in (CORPUS / "_posts").iterdir())
        out["cold_s"] = round(cold, 2)
        out["findings"] = _count(report)
        print(f"cold: {cold:.1f} s for {out['posts']} posts ({out['findings']} findings, "
              f"exit {code})", flush=True)
        warm = [timed(common + ["--cache-dir", cache, str(CORPUS)])[0]
                for _ in range(args.repeat)]
        out["warm_s"] = round(statistics.median(warm), 2)
        out["warm_runs_s"] = [round(w, 2) for w in warm]
        print(f"warm: {out['warm_s']:.1f} s (runs: {out['warm_runs_s']})", flush=True)

        # A pull request: a git copy of the blog with 3 posts edited since HEAD.
        repo = Path(tmp) / "blog"
        shutil.copytree(CORPUS, repo)
        git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
        for step in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "base"]):
            subprocess.run(git + step, cwd=repo, check=True, capture_output=True)
        posts = sorted((repo / "_posts").iterdir())[-3:]
        changed = []
        for n in range(args.repeat):
            for post in posts:  # new text each run: nothing of these posts is cached
                with open(post, "a", encoding="utf-8") as handle:
                    handle.write(f"\n追記 {n}: 本文を少し書き足しました。\n")
            seconds, code, report = timed(common + ["--cache-dir", cache, "--changed-since",
                                                    "HEAD", "."], cwd=str(repo))
            checked = {f["path"] for f in json.loads(report)}
            changed.append(seconds)
            print(f"changed: {seconds:.2f} s ({len(checked)} of 3 posts with findings)",
                  flush=True)
        out["changed_3_s"] = round(statistics.median(changed), 2)
        out["changed_runs_s"] = [round(c, 2) for c in changed]
    out["load_after"] = os.getloadavg()[0]
    print(json.dumps(out, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
