"""What a fit gives: the ``Suggester``'s fitted attributes (``Fitted``) and the facts of
the run for its model card (``TrainingReport``). Plain data, so that a loaded model needs
none of the fitting code (nor scikit-learn)."""

from __future__ import annotations

from dataclasses import dataclass

from ..text.extract import BoilerplateFilter
from .card import ModelCard, TrainingFacts
from .config import TrainingConfig
from .features import DocumentVectorizer
from .linear import LinearModel
from .named_tags import NamedTags
from .neighbours import PostIndex
from .new_tags import NewTags


@dataclass
class TrainingReport:
    """Facts about a training run for the model card."""

    n_posts: int
    category_counts: dict[str, int]
    tag_counts: dict[str, int]
    rare_tags: dict[str, int]
    tag_threshold: float
    max_tags: int
    validation: dict
    fingerprint: str
    date_range: tuple[str | None, str | None]
    half_life_days: dict[str, float | None]
    conventions: dict

    def card(self, config: TrainingConfig, *, sources: list[str] | None = None,
             skipped: int | None = None, evaluation: dict | None = None) -> ModelCard:
        """The model card of this run (``save_model`` dates it and names the files)."""
        facts = TrainingFacts(posts=self.n_posts, date_range=list(self.date_range),
                              fingerprint=self.fingerprint, config=config.as_json(),
                              sources=sources, skipped=skipped)
        return ModelCard(
            training=facts,
            labels={"categories": self.category_counts, "tags": self.tag_counts},
            rare_tags=self.rare_tags, tag_threshold=self.tag_threshold,
            max_tags=self.max_tags, half_life_days=self.half_life_days,
            validation=self.validation, evaluation=evaluation, conventions=self.conventions)


@dataclass(frozen=True)
class Fitted:
    """What a ``Suggester`` learns: its fitted attributes (``report``: None when loaded)."""

    boilerplate: BoilerplateFilter
    vectorizer: DocumentVectorizer
    category_model: LinearModel | None
    category_labels: list[str]
    tag_model: LinearModel | None
    tag_labels: list[str]
    tag_threshold: float
    max_tags: int
    neighbours: PostIndex | None
    tag_mix: float
    plain_tag_model: LinearModel | None = None
    tag_blend: float = 0.0
    tag_calibration: tuple[float, float] = (1.0, 0.0)  # Platt's (a, b) of the tag scores
    tag_words: tuple[tuple[str, ...], ...] = ()  # each tag's label as tokens (see mentions)
    tag_mentions: tuple[float, float] = (0.0, 0.0)  # what a mention in title, body adds
    named_tags: NamedTags | None = None  # seldom-used tags a title may name; None: none
    new_tags: NewTags | None = None  # a title's words no tag has; None: the blog makes none
    report: TrainingReport | None = None
