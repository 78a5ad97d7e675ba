"""The bundled model: what `--model` and ``BUNRUI_MODEL`` default to in both front ends,
and the blogs it may serve."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.resources import files

from bunrui.classifier import BunruiError
from bunrui.classifier.corpus.posts import read_post
from bunrui.classifier.model.card import ModelCard

# The bundled model is the allforces blog's. On another blog its labels would become the
# taxonomy (every category "unknown") and its scores would propose allforces's tags, so it
# serves only posts at least SHARE of whose labels it knows, judged on up to SAMPLE of
# them (allforces 100%, the shared drafts 87%, mamezou 8%, lacolaco 2%, znz 0%).
SHARE, SAMPLE = 0.5, 200


def default_model() -> str:
    """The folder of the bundled model of the allforces blog."""
    # Package data of bunrui.models: in the source tree (an editable install) and in an
    # installed wheel alike. Installed wheels are folders on disk, so the path is real.
    return str(files("bunrui.models") / "allforces")


def _labels(paths: Sequence[str]) -> list[str]:
    """The categories and tags of up to ``SAMPLE`` of the posts at ``paths``, evenly
    spread; a file that cannot be read is left to whatever reads it next."""
    out: list[str] = []
    for path in paths[:: max(1, len(paths) // SAMPLE)]:
        try:
            post = read_post(path)
        except (BunruiError, OSError):
            continue
        out += [*post.categories, *post.tags]
    return out


def refusal(card: ModelCard, paths: Sequence[str]) -> str | None:
    """Why the bundled model (``card``) does not serve the posts at ``paths``; None when
    it does."""
    share = card.known_share(_labels(paths))
    if share is not None and share >= SHARE:
        return None
    known = ("carry no labels to judge by" if share is None
             else f"carry labels {share:.0%} known to it")
    return f"the bundled model is the allforces blog's, and these posts {known}"
