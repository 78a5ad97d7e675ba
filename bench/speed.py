"""Speed of the core on ../shared/corpus/allforces (issue 2's figures).

    python bench/speed.py [--skip-cold]

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
import sys
import tempfile
import time
from pathlib import Path

import fugashi

from classifier import (
    TokenCache,
    Tokenizer,
    TrainingConfig,
    load_corpus,
    load_model,
    save_model,
    train,
)
from classifier.posts import read_post

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


def timed_train(posts, cache_dir: str, out: str) -> float:
    start = time.perf_counter()
    suggester, report = train(posts, cache=TokenCache(cache_dir), n_jobs=2)
    save_model(suggester, out, report.card(TrainingConfig()))
    return time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cold", action="store_true")
    args = parser.parse_args(argv)
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
        cache_dir = os.path.join(work, "cache")
        if not args.skip_cold:
            cold = timed_train(posts, cache_dir, os.path.join(work, "m"))
            print(f"cold training (empty cache), reading excluded: {cold:.1f}s wall; "
                  f"with reading: {cold + read_s:.1f}s")
        else:
            timed_train(posts, cache_dir, os.path.join(work, "m"))
        # One post changed: its body gets a new paragraph; the others hit the cache.
        changed = list(posts)
        victim = changed[len(changed) // 2]
        changed[len(changed) // 2] = type(victim)(**{**victim.__dict__,
                                                     "body": victim.body + "\n\n追記しました。\n"})
        start = time.perf_counter()
        corpus_again = load_corpus([CORPUS])
        retrain = timed_train(changed, cache_dir, os.path.join(work, "m"))
        total = time.perf_counter() - start
        print(f"retraining after one post changed (warm cache): {retrain:.1f}s wall; "
              f"with reading the corpus: {total:.1f}s ({len(corpus_again.posts)} posts)")

        suggester, _ = load_model(os.path.join(work, "m"))
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
