"""What training may choose: ``TrainingConfig``, saved in the model card."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from pydantic import ConfigDict, TypeAdapter, ValidationError

from ..errors import ModelError


@dataclass
class TrainingConfig:
    """Every choice training makes; saved in the model card."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    title_weight: int = 3
    ngram_range: tuple[int, int] = (1, 1)
    min_df: int = 2
    max_df: float = 0.8
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
    # Labels drift: each tag's log-odds move this far (0: not at all, 1: fully) toward its
    # frequency among the newest posts, as in a prior-shift correction.
    tag_prior_shift: float = 0.25
    # Recent posts count more: a post `half_life_days` older than the newest weighs half.
    # "auto" chooses among half_life_candidates() on the held-out newest posts; None: off.
    half_life_days: float | str | None = "auto"
    # Only the start of a body is read: the topic is set early, and long tails wander.
    max_chars: int | None = 6000
    validation_share: float = 0.1
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
