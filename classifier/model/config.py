"""What training may choose: ``TrainingConfig``, saved in the model card."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Literal

from pydantic import ConfigDict, TypeAdapter, ValidationError

from ..errors import ModelError


@dataclass
class TrainingConfig:
    """Every choice training makes; saved in the model card."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    # "auto": the candidate of CANDIDATES below (or one for categories, another for
    # tags) that does best on the blog's newest posts; or one candidate by name.
    candidate: Literal["auto", "plain", "plain, recent", "tuned", "tuned, recent",
                       "tuned, very recent"] = "auto"
    # "logistic": logistic regressions; "svm": linear SVMs (the plain candidate's)
    linear_model: Literal["logistic", "svm"] = "logistic"
    title_weight: int = 3
    ngram_range: tuple[int, int] = (1, 1)
    min_df: int = 2
    max_df: float = 0.95
    category_C: float = 30.0
    tag_C: float = 64.0
    tag_class_weight: str | None = "balanced"
    min_tag_count: int = 2
    # Tags of a yearly series (advent2024, advent2025) learned as one label, advent{year}.
    tag_series: bool = True
    # A tag's score: this share from the tag model, the rest from the votes of the
    # `tag_neighbours` most similar posts (weighted like the tag model's posts).
    tag_mix: float = 0.5
    tag_neighbours: int = 5
    # This share of a tag's score from a plain linear SVM's (PLAIN_TAGS), fitted beside:
    # the two rank differently, and together better than either on most blogs.
    tag_blend: float = 0.7
    # Labels drift: each tag's log-odds move this far (0: not at all, 1: fully) toward its
    # frequency among the newest posts, as in a prior-shift correction.
    tag_prior_shift: float = 0.25
    # Recent posts count more: a post `half_life_days` older than the newest weighs half.
    # "auto": as the chosen candidate sets it; None: off.
    half_life_days: float | str | None = "auto"
    # Only the start of a body is read: the topic is set early, and long tails wander.
    # 5,000 rather than 6,000: as good on every blog of the suite's validation split
    # (docs/benchmarks.md), and a sixth less for MeCab to read.
    max_chars: int | None = 5000
    min_tags: int = 1
    max_tags: int | None = None  # None: the 95th percentile of tags per post, at most 10

    def as_dict(self) -> dict:
        return asdict(self)

    def as_json(self) -> dict:
        """As the model card holds it (tuples become lists), to compare with a card's."""
        return json.loads(json.dumps(self.as_dict()))

    @classmethod
    def from_json(cls, data: dict, path: str | None = None) -> TrainingConfig:
        """The config a model card holds (``as_json``), every field's type checked."""
        try:
            return TypeAdapter(cls).validate_python(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(map(str, error["loc"]))
            raise ModelError(f"the model card's training config: {where}: {error['msg']}",
                             path=path) from None


# The plain reference's tag settings (bench/reference.py): linear SVMs, no class weights.
# The neighbours are still found, for the similar posts shown with a suggestion; their
# votes count for nothing (tag_mix 1).
PLAIN_TAGS = {"linear_model": "svm", "tag_C": 0.5, "tag_class_weight": None,
              "tag_mix": 1.0, "tag_prior_shift": 0.0, "half_life_days": None,
              "tag_blend": 0.0}

# Simplest first. "plain" is the reference of bench/reference.py on bunrui's documents:
# linear SVMs, no class weights for tags, no neighbours, no prior shift, no recency.
# A relative half-life is that share of the blog's time span.
# The tuned ones are TrainingConfig's defaults: logistic regressions, neighbours' votes
# and prior shift, their tag scores blended with a plain SVM's (tag_blend).
CANDIDATES: dict[str, dict] = {
    "plain": {**PLAIN_TAGS, "category_C": 0.5},
    # A blog that renames a tag: the plain SVMs, the newer posts weighing more; for tags
    # only ("categories": False), where the tuned recent ones serve.
    "plain, recent": {**PLAIN_TAGS, "category_C": 0.5, "half_life_days": ("span", 1 / 8),
                      "categories": False},
    "tuned": {"half_life_days": None},
    # The tuned recent ones for categories only ("tags": False): for tags they did no
    # better than the others on the four blogs (lacolaco's validation split: P@3 0.264
    # either way), and each would cost a weighted logistic regression and SVM per tag
    # and window, a fifth of choosing.
    "tuned, recent": {"half_life_days": ("span", 1 / 8), "tags": False},
    "tuned, very recent": {"half_life_days": ("span", 1 / 32), "tags": False},
}
