"""A progress bar for long work: tqdm on a terminal, nothing when piped."""

from __future__ import annotations

import sys


class Progress:
    """A tqdm bar on a terminal, nothing when piped."""

    def __init__(self, total: int, desc: str) -> None:
        self.bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=desc, unit="text", file=sys.stderr)

    def __call__(self, n: int) -> None:
        if self.bar:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar:
            self.bar.close()
