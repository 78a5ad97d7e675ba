"""The suggester: fitted on a blog's posts, it turns a draft into a scored category and
tags, with reasons."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..corpus.posts import Post, parse_post
from ..errors import InputError, ModelError
from ..text.tokens import TokenCache
from .card import ModelCard
from .config import TrainingConfig
from .documents import tokenize_posts
from .features import Document
from .fitted import Fitted
from .mentions import Mentions
from .ranking import choose_tags, mixed_tag_scores
from .series import render

N_CANDIDATES = 20


@dataclass(frozen=True)
class Scored:
    label: str
    score: float

    def as_dict(self) -> dict:
        return {"label": self.label, "score": round(float(self.score), 4)}


@dataclass
class Suggestion:
    """What the model proposes for one draft. Scores are probabilities in [0, 1]."""

    category: Scored | None
    categories: list[Scored]
    tags: list[Scored]
    tag_candidates: list[Scored]
    explanations: dict[str, dict[str, list[Scored]]] = field(default_factory=dict)
    similar_posts: list[Scored] = field(default_factory=list)  # titles, cosine similarity

    def as_dict(self) -> dict:
        out = {
            "category": self.category.as_dict() if self.category else None,
            "categories": [s.as_dict() for s in self.categories],
            "tags": [s.as_dict() for s in self.tags],
            "tag_candidates": [s.as_dict() for s in self.tag_candidates],
        }
        if self.explanations:
            out["explanations"] = {
                kind: {label: [s.as_dict() for s in terms] for label, terms in items.items()}
                for kind, items in self.explanations.items()
            }
            out["explanations"]["similar_posts"] = [s.as_dict() for s in self.similar_posts]
        return out


def _merged(learned: list[Scored], named: list[Scored]) -> list[Scored]:
    """Both, best first; on a tie the tag model's first."""
    return sorted([*learned, *named], key=lambda s: -s.score)


class Suggester:
    """A blog's category and tag suggester, an estimator in scikit-learn's way:
    ``Suggester(config).fit(posts)``, then ``suggest_posts`` or ``suggest_text``.

    Fitted attributes (trailing underscore): the boilerplate filter and vectorizer, the
    category model and tag model with their labels (either may be None: a blog with tags
    and no categories, or the reverse), the post index of ``neighbours_`` (None: the tag
    model alone), ``tag_mix_``, a plain SVM's tag model blended in (``plain_tag_model_``,
    ``tag_blend_``; None and 0 when not), ``tag_threshold_``, ``max_tags_``, and
    ``report_``, the facts of the training run for the model card (None when loaded).
    A tag's score is ``tag_mix_`` times the tag model's probability plus the rest times
    the votes of the most similar training posts; of that ``1 - tag_blend_``, plus
    ``tag_blend_`` times the plain model's score; made a probability by
    ``tag_calibration_`` (Platt scaling fitted on the validation windows), with
    ``tag_mentions_`` added to its log-odds when the draft's title or body names the tag
    (``tag_words_``: each tag's label as tokens; see ``mentions``). ``named_tags_`` (None
    on most blogs): tags used too seldom to learn, suggested at their own score when the
    draft's title names one (see ``named_tags``); ``new_tags_`` (None where the blog
    makes none): the title's words no tag has, offered as new tags (see ``new_tags``).
    """

    def __init__(self, config: TrainingConfig | None = None) -> None:
        self.config = config

    def fit(self, posts: Sequence[Post], *, cache: TokenCache | None = None, n_jobs: int = 1,
            progress=None, previous: ModelCard | None = None) -> Suggester:
        """Learn from ``posts``.

        Unless ``config.candidate`` names one, each candidate configuration of
        ``config.CANDIDATES`` is fitted on older posts and scored on the newest (three
        consecutive windows); the categories and the tags each take the simplest
        candidate within noise of the best, and the tag threshold is chosen with it. Then
        the final models are fitted on all posts.

        The tags of a yearly series (``advent2024``, ``advent2025``) are learned as one
        label, ``advent{year}`` (see ``series``).

        ``previous`` is the card of an earlier model of the same blog: when it was trained
        with the same settings on nearly the same posts (a post edited or added), its
        choices are reused and the held-out fits skipped, so retraining stays quick.
        """
        # Here, not at the top: training needs scikit-learn, which a loaded model never
        # does (see ``linear``), and importing it is most of a command's start.
        from .training import fit

        return self._set(fit(posts, self._settings, cache=cache, n_jobs=n_jobs,
                             progress=progress, previous=previous))

    @classmethod
    def restore(cls, config: TrainingConfig, fitted: Fitted) -> Suggester:
        """A suggester fitted earlier, from its saved parts."""
        return cls(config)._set(fitted)

    def _set(self, fitted: Fitted) -> Suggester:
        self.boilerplate_, self.vectorizer_ = fitted.boilerplate, fitted.vectorizer
        self.category_model_, self.category_labels_ = fitted.category_model, fitted.category_labels
        self.tag_model_, self.tag_labels_ = fitted.tag_model, fitted.tag_labels
        self.tag_threshold_, self.max_tags_ = fitted.tag_threshold, fitted.max_tags
        self.neighbours_, self.tag_mix_ = fitted.neighbours, fitted.tag_mix
        self.plain_tag_model_, self.tag_blend_ = fitted.plain_tag_model, fitted.tag_blend
        self.tag_calibration_ = fitted.tag_calibration
        self.tag_words_, self.tag_mentions_ = fitted.tag_words, fitted.tag_mentions
        self.mentions_ = Mentions(self.tag_words_)
        self.named_tags_, self.new_tags_ = fitted.named_tags, fitted.new_tags
        self.report_ = fitted.report
        # Label -> index, built once: an editor asks the terms of every label it lists.
        self.label_positions_ = {
            "category": {c: k for k, c in enumerate(self.category_labels_)},
            "tags": {t: k for k, t in enumerate(self.tag_labels_)}}
        return self

    @property
    def _settings(self) -> TrainingConfig:
        return self.config or TrainingConfig()

    @property
    def min_tags(self) -> int:
        return self._settings.min_tags

    @property
    def max_chars(self) -> int | None:
        return self._settings.max_chars

    def documents(self, posts: Sequence[Post], **kwargs) -> list[Document]:
        """Tokenized (title, body) pairs for ``posts``, as this model reads them."""
        if not hasattr(self, "vectorizer_"):
            raise ModelError("the suggester is not fitted: call fit(posts) first")
        return tokenize_posts(posts, self.boilerplate_, self.max_chars, **kwargs)

    def score(self, docs: Sequence[Document]):
        """(category probabilities, tag probabilities, feature matrix) for documents."""
        X = self.vectorizer_.transform(docs)
        cats = self.category_model_.predict_proba(X) if self.category_model_ else None
        tags = self.tag_scores(X, docs) if self.tag_model_ else None
        return cats, tags, X

    def tag_scores(self, X, docs: Sequence[Document]) -> np.ndarray:
        """Tag scores of documents (``X``: their feature rows): the tag model's, mixed with
        the neighbours' votes, calibrated, the tags the documents name raised."""
        return mixed_tag_scores(self.tag_model_, self.neighbours_, self.tag_mix_, X,
                                self.plain_tag_model_, self.tag_blend_, self.tag_calibration_,
                                self.mentions_.shift(docs, self.tag_mentions_))

    def choose_tags(self, scores: np.ndarray, limit: int | None = None,
                    threshold: float | None = None) -> list[int]:
        """Indices of the tags to suggest: above the threshold, within the bounds."""
        threshold = self.tag_threshold_ if threshold is None else threshold
        upper = self.max_tags_ if limit is None else limit
        return choose_tags(scores, threshold, self.min_tags, upper)

    def suggest_posts(self, posts: Sequence[Post], *, limit: int | None = None,
                      threshold: float | None = None, explain: int = 0) -> list[Suggestion]:
        """Suggestions for parsed drafts; their front-matter labels are never evidence."""
        for post in posts:
            if not (post.title.strip() or post.body.strip()):
                raise InputError("the draft is empty", path=post.path, field="text")
        docs = self.documents(posts)
        return self.suggestions(posts, docs, self.score(docs), limit=limit,
                                threshold=threshold, explain=explain)

    def suggestions(self, posts: Sequence[Post], docs: Sequence[Document], scored, *,
                    limit: int | None = None, threshold: float | None = None,
                    explain: int = 0) -> list[Suggestion]:
        """Suggestions for posts already scored (``docs``: their documents, ``scored``:
        what ``score`` gave for them), for a caller that uses the scores too."""
        cats, tags, X = scored
        threshold = self.tag_threshold_ if threshold is None else threshold
        upper = self.max_tags_ if limit is None else limit
        out = []
        for i in range(len(posts)):
            categories = []
            if cats is not None:
                categories = [Scored(self.category_labels_[k], float(cats[i, k]))
                              for k in np.argsort(-cats[i], kind="stable")]
            tag_scores = tags[i] if tags is not None else np.zeros(0)
            chosen = self.choose_tags(tag_scores, limit, threshold) if tags is not None else []
            order = np.argsort(-tag_scores, kind="stable")[:N_CANDIDATES]
            learned = self._scored_tags(chosen, tag_scores, posts[i].date)
            named = self._named(posts[i], docs[i])
            passing = [s for s in named if s.score >= threshold]
            suggestion = Suggestion(
                category=categories[0] if categories else None,
                categories=categories,
                tags=_merged(learned, passing)[:upper] if passing else learned,
                tag_candidates=_merged(self._scored_tags(order, tag_scores, posts[i].date),
                                       named)[:N_CANDIDATES],
            )
            if explain:
                suggestion.explanations = self._explain(
                    X[i], suggestion, dict(zip(learned, chosen, strict=True)), explain)
                if self.neighbours_ is not None:
                    suggestion.similar_posts = [Scored(title, sim) for title, sim in
                                                self.neighbours_.similar(X[i], 3)]
            out.append(suggestion)
        return out

    def _named(self, post: Post, doc: Document) -> list[Scored]:
        """The tags the title names that the models do not score, each at its score, best
        first: seldom-used ones (``named_tags``), and words no tag has (``new_tags``)."""
        named, new = self.named_tags_, self.new_tags_
        out = [Scored(t, named.rate) for t in named.named(doc)] if named else []
        out += [Scored(t, new.rate) for t in new.named(post.title)] if new else []
        return sorted(out, key=lambda s: -s.score)

    def _scored_tags(self, indices, scores: np.ndarray, date) -> list[Scored]:
        # A series label takes the draft's year: `advent{year}` is `advent2025` in 2025.
        return [Scored(render(self.tag_labels_[k], date), float(scores[k])) for k in indices]

    def suggest_text(self, text: str, path: str = "<draft>", **kwargs) -> Suggestion:
        """Suggestion for one draft given as Markdown (front matter optional) or plain text."""
        post = parse_post(text, path, require_front_matter=False)
        return self.suggest_posts([post], **kwargs)[0]

    def terms(self, x, kind: str, label: str, n: int) -> list[Scored]:
        """The ``n`` terms of feature row ``x`` that add most to ``label``'s score (``kind``:
        "category" or "tags"); [] for a label the model does not know."""
        if kind == "category":
            k = self.label_positions_["category"].get(label)
            if self.category_model_ is None or k is None:
                return []
            coef = self.category_model_.coef_
            weights = coef[k] if len(coef) > 1 else coef[0] * (1 if k else -1)
        else:
            k = self.label_positions_["tags"].get(label)
            if self.tag_model_ is None or k is None:
                return []
            # The model that gives most of the score.
            main = self.plain_tag_model_ if self.tag_blend_ > 0.5 else self.tag_model_
            weights = main.coef_[k]
        row = x.tocsr()
        columns, values = row.indices, row.data
        contributions = values * weights[columns]
        best = np.argsort(-contributions, kind="stable")[:n]
        vocabulary = self.vectorizer_.vocabulary
        return [Scored(str(vocabulary[columns[j]]), float(contributions[j]))
                for j in best if contributions[j] > 0]

    def _explain(self, x, suggestion: Suggestion, learned: dict[Scored, int],
                 n: int) -> dict[str, dict[str, list[Scored]]]:
        """The terms of this draft that added most to each suggested label's score
        (``learned``: each tag the tag model scored, and its index); a tag the title names
        (``named_tags``) is its own term, at its score."""
        out: dict[str, dict[str, list[Scored]]] = {"category": {}, "tags": {}}
        if suggestion.category and self.category_model_ is not None:
            label = suggestion.category.label
            out["category"][label] = self.terms(x, "category", label, n)
        for tag in suggestion.tags:
            k = learned.get(tag)
            out["tags"][tag.label] = ([tag] if k is None
                                      else self.terms(x, "tags", self.tag_labels_[k], n))
        return out
