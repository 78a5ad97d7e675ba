"""Speed of the core on ../shared/corpus/allforces (issue 2's figures).

    python bench/speed.py

- tokenizer throughput against fugashi's own Tagger.parse() over the same texts, same run;
- cold training (empty token cache, fresh process state) and retraining after one post
  changed (warm cache), wall time, as `bunrui train` does them;
- in-process `suggest` latency on a post of median length.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import fugashi

from bunrui.classifier import Tokenizer, load_corpus, load_model
from bunrui.classifier.corpus.posts import read_post

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "allforces"


def tokenizer_throughput(texts: list[str], rounds: int = 3) -> tuple[float, float]:
    """Best-of-rounds characters per second: (fugashi Tagger.parse, bunrui Tokenizer)."""
    tagger, tokenizer = fugashi.Tagger(), Tokenizer()
    chars = sum(map(len, texts))
    best_parse = best_ours = 0.0
    for _ in range(rounds):  # interleaved, so both see the same machine load
        start = time.perf_counter()
        for text in texts:
            tagger.parse(text)
        best_parse = max(best_parse, chars / (time.perf_counter() - start))
        start = time.perf_counter()
        for text in texts:
            tokenizer(text)
        best_ours = max(best_ours, chars / (time.perf_counter() - start))
    return best_parse, best_ours


def timed_train(corpus: str, cache_dir: str, out: str) -> float:
    """Wall time of `bunrui train` as a user runs it: a fresh process, start-up included."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bunrui.service", "train", corpus, "--out", out,
                    "--cache-dir", cache_dir], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    start = time.perf_counter()
    corpus = load_corpus([CORPUS])
    read_s = time.perf_counter() - start
    posts = corpus.posts
    print(f"machine: {os.cpu_count()} cores; corpus: {len(posts)} posts, "
          f"{sum(len(p.body) for p in posts):,} characters; reading took {read_s:.1f}s")

    sample = [p.body for p in posts[::10]]
    parse_cps, ours_cps = tokenizer_throughput(sample)
    print(f"tokenizer: fugashi Tagger.parse {parse_cps:,.0f} chars/s, bunrui Tokenizer "
          f"{ours_cps:,.0f} chars/s = {ours_cps / parse_cps:.0%} of parse()")

    work = tempfile.mkdtemp(prefix="bunrui-speed-")
    try:
        corpus = os.path.join(work, "allforces")
        shutil.copytree(CORPUS, corpus)  # a copy: one of its posts gets edited below
        cache_dir, model = os.path.join(work, "cache"), os.path.join(work, "m")
        cold = timed_train(corpus, cache_dir, model)
        print(f"cold training (`bunrui train`, empty token cache): {cold:.1f}s wall")
        # One post edited: a paragraph added at the top of its body (within the part the
        # model reads, so its text is extracted and tokenized again); the others hit the cache.
        victim = sorted(Path(corpus, "_posts").iterdir())[len(posts) // 2]
        head, sep, body = victim.read_text(encoding="utf-8").partition("\n---\n")
        victim.write_text(f"{head}{sep}\n冒頭に一段落を追記しました。\n{body}", encoding="utf-8")
        retrain = timed_train(corpus, cache_dir, model)
        print(f"retraining after one post changed (`bunrui train`, warm cache, the previous "
              f"model's choices reused): {retrain:.1f}s wall")

        suggester, _ = load_model(model)
        lengths = sorted(posts, key=lambda p: len(p.body))
        median = lengths[len(lengths) // 2]
        text = Path(median.path).read_text(encoding="utf-8")
        suggester.suggest_text(text)  # first call creates the tagger
        times = []
        for _ in range(50):
            start = time.perf_counter()
            suggester.suggest_text(text)
            times.append((time.perf_counter() - start) * 1000)
        print(f"suggest, in process, median-length post ({len(median.body):,} chars, "
              f"{read_post(median.path).title[:20]}...): median {statistics.median(times):.1f} "
              f"ms, p95 {sorted(times)[int(len(times) * 0.95)]:.1f} ms over {len(times)} runs")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
