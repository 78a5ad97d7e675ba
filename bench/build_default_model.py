"""Build the bundled default model: all of ../shared/corpus/allforces, default settings.

    make model        # or: python bench/build_default_model.py [--out models/allforces]

The model card also carries the honest evaluation of the same settings: trained on posts
before 2026-03-01, tested on 2026-03-01 .. 2026-03-14.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bunrui.classifier import (
    Suggester,
    TokenCache,
    TrainingConfig,
    evaluate_split,
    load_corpus,
    save_model,
    time_split,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "allforces"
TEST_DATE = dt.date(2026, 3, 1)


def _round(tree):
    if isinstance(tree, dict):
        return {k: _round(v) for k, v in tree.items()}
    return round(tree, 4) if isinstance(tree, float) else tree


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "models" / "allforces"))
    args = parser.parse_args(argv)
    corpus = load_corpus([CORPUS])
    print(corpus.summary(), file=sys.stderr)
    cache = TokenCache(str(Path.home() / ".cache" / "bunrui"))
    config = TrainingConfig()
    train_posts, test_posts = time_split(corpus.posts, TEST_DATE)
    result = evaluate_split(train_posts, test_posts, config, cache=cache, n_jobs=2)
    suggester = Suggester(config).fit(corpus.posts, cache=cache, n_jobs=2)
    report = suggester.report_
    evaluation = {
        "split": f"train < {TEST_DATE} <= test",
        "train_posts": result["train_posts"],
        "test_posts": result["test_posts"],
        "model": _round(result["model"]),
        "baseline": _round(result["baseline"]),
    }
    save_model(suggester, args.out,
               report.card(config, sources=["allforces"], evaluation=evaluation))
    print(f"model written to {args.out}; test-split category accuracy "
          f"{result['model']['category']['accuracy']:.3f}, tag F1 "
          f"{result['model']['tags']['f1']:.3f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
