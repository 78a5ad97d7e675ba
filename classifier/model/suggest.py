"""The trained suggester: a draft in, a scored category and tags out, with reasons."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..corpus.posts import Post, parse_post
from ..errors import InputError
from ..text.extract import (
    TEXT_VERSION,
    Block,
    BoilerplateFilter,
    extract_blocks,
    fingerprints,
    join_blocks,
)
from ..text.tokens import TokenCache, content_hash, tokenize_many
from .features import Document, DocumentVectorizer
from .neighbours import PostIndex
from .series import render

N_CANDIDATES = 20
# What of a title is read, as a body is read only so far: real titles are far shorter, and
# MeCab keeps the memory of the longest text it was given for as long as it lives.
TITLE_CHARS = 1_000


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


def body_key(body: str) -> str:
    """The cache key of what is extracted from a body."""
    return content_hash(f"blocks\0{TEXT_VERSION}\0{body}")


def extract_many(bodies: Sequence[str], keys: list[str],
                 cache: TokenCache | None) -> list[list[Block]]:
    """``extract_blocks`` of each body, through the cache (``keys``: ``body_key`` of each)."""
    known = cache.get_blobs(keys) if cache else {}
    out, fresh = [], {}
    for key, body in zip(keys, bodies, strict=True):
        try:
            blocks = [Block(text, level, bool(link), bkey)
                      for text, level, link, bkey in known[key]]
        except (KeyError, TypeError, ValueError):  # absent, or an entry of another shape
            blocks = extract_blocks(body)
            fresh[key] = [[b.text, b.heading_level, b.link_only, b.key] for b in blocks]
        out.append(blocks)
    if cache and fresh:
        cache.put_blobs(fresh)
    return out


def body_text(blocks: Sequence[Block], boilerplate: BoilerplateFilter,
              max_chars: int | None) -> str:
    """The body text a model learns from: plain, boilerplate removed, capped in length."""
    text = join_blocks(boilerplate.clean(blocks))
    return text[:max_chars] if max_chars else text


def learn_documents(posts: Sequence[Post], max_chars: int | None, *,
                    cache: TokenCache | None = None, n_jobs: int = 1,
                    progress=None) -> tuple[BoilerplateFilter, list[Document]]:
    """A boilerplate filter fitted on ``posts``, and their documents as it leaves them.

    Retraining reads every post again. Through the cache an unchanged post costs little
    more than reading its blocks' fingerprints: a body's tokens are kept under a key of
    the body and of the blocks the filter removes from it, so only bodies that changed,
    or whose boilerplate did, are extracted, cleaned and tokenized again.
    """
    bodies = [p.body for p in posts]
    keys = [body_key(body) for body in bodies]
    prints = cache.get_fingerprints(keys) if cache else {}
    blocks: dict[int, list[Block]] = {}

    def extract(indices: list[int]) -> None:
        found = extract_many([bodies[i] for i in indices], [keys[i] for i in indices], cache)
        blocks.update(zip(indices, found, strict=True))

    extract([i for i, k in enumerate(keys) if k not in prints])
    fresh = {keys[i]: fingerprints(b) for i, b in blocks.items()}
    if cache:
        cache.put_fingerprints(fresh)
    prints.update(fresh)
    boilerplate = BoilerplateFilter().fit_fingerprints(prints[k] for k in keys)

    memo = [content_hash(f"body\0{max_chars}\0{key}\0{boilerplate.recurring(prints[key])}")
            for key in keys]
    known = cache.get_many(list(set(memo))) if cache else {}
    todo = [i for i, m in enumerate(memo) if m not in known]
    extract([i for i in todo if i not in blocks])
    if progress:
        progress(len(posts) - len(todo))
    texts = [p.title[:TITLE_CHARS] for p in posts]
    texts += [body_text(blocks[i], boilerplate, max_chars) for i in todo]
    tokens = tokenize_many(texts, cache=cache, n_jobs=n_jobs, progress=progress)
    fresh_bodies = {memo[i]: toks for i, toks in zip(todo, tokens[len(posts) :], strict=True)}
    if cache:
        cache.put_many(fresh_bodies)
    known.update(fresh_bodies)
    return boilerplate, list(zip(tokens[: len(posts)], [known[m] for m in memo], strict=True))


def tokenize_posts(posts: Sequence[Post], boilerplate: BoilerplateFilter,
                   max_chars: int | None, *, blocks: Sequence[Sequence[Block]] | None = None,
                   cache: TokenCache | None = None, n_jobs: int = 1,
                   progress=None) -> list[Document]:
    """Tokenized (title, body) pairs for ``posts`` (``blocks``: their bodies, if already split)."""
    if blocks is None:
        blocks = [extract_blocks(p.body) for p in posts]
    texts = [p.title[:TITLE_CHARS] for p in posts]
    texts += [body_text(b, boilerplate, max_chars) for b in blocks]
    tokens = tokenize_many(texts, cache=cache, n_jobs=n_jobs, progress=progress)
    return list(zip(tokens[: len(posts)], tokens[len(posts) :], strict=True))


def mixed_tag_scores(tag_model, neighbours: PostIndex | None, tag_mix: float, X) -> np.ndarray:
    """``tag_mix`` times the tag model's probabilities plus the rest times the neighbours'
    votes (the model's alone without neighbours)."""
    scores = tag_model.predict_proba(X)
    if neighbours is None:
        return scores
    return tag_mix * scores + (1 - tag_mix) * neighbours.votes(X)


def choose_tags(scores: np.ndarray, threshold: float, min_tags: int, max_tags: int) -> list[int]:
    """Indices of the tags scoring at least ``threshold``, best first, at most
    ``max_tags``; the best ``min_tags`` when fewer pass."""
    order = np.argsort(-scores, kind="stable")
    chosen = [i for i in order[:max_tags] if scores[i] >= threshold]
    if len(chosen) < min(min_tags, max_tags):
        chosen = list(order[: min(min_tags, max_tags)])
    return chosen


@dataclass
class Suggester:
    """Everything a trained model needs to turn a draft into a ``Suggestion``.

    Either model may be absent (a blog with tags and no categories, or the reverse).
    A tag's score is ``tag_mix`` times the tag model's probability plus the rest times
    the votes of the most similar training posts (``neighbours``; None: the model alone).
    ``tag_threshold`` and ``min_tags``/``max_tags`` decide how many tags are suggested.
    """

    boilerplate: BoilerplateFilter
    vectorizer: DocumentVectorizer
    category_model: object | None
    category_labels: list[str]
    tag_model: object | None
    tag_labels: list[str]
    tag_threshold: float = 0.5
    min_tags: int = 1
    max_tags: int = 6
    max_chars: int | None = None
    neighbours: PostIndex | None = None
    tag_mix: float = 1.0

    def documents(self, posts: Sequence[Post], **kwargs) -> list[Document]:
        """Tokenized (title, body) pairs for ``posts``, as this model reads them."""
        return tokenize_posts(posts, self.boilerplate, self.max_chars, **kwargs)

    def score(self, docs: Sequence[Document]):
        """(category probabilities, tag probabilities, feature matrix) for documents."""
        X = self.vectorizer.transform(docs)
        cats = self.category_model.predict_proba(X) if self.category_model else None
        tags = self.tag_scores(X) if self.tag_model else None
        return cats, tags, X

    def tag_scores(self, X) -> np.ndarray:
        """Tag scores of feature rows: the tag model's, mixed with the neighbours' votes."""
        return mixed_tag_scores(self.tag_model, self.neighbours, self.tag_mix, X)

    def choose_tags(self, scores: np.ndarray, limit: int | None = None,
                    threshold: float | None = None) -> list[int]:
        """Indices of the tags to suggest: above the threshold, within the bounds."""
        threshold = self.tag_threshold if threshold is None else threshold
        upper = self.max_tags if limit is None else limit
        return choose_tags(scores, threshold, self.min_tags, upper)

    def suggest_posts(self, posts: Sequence[Post], *, limit: int | None = None,
                      threshold: float | None = None, explain: int = 0) -> list[Suggestion]:
        """Suggestions for parsed drafts; their front-matter labels are never evidence."""
        for post in posts:
            if not (post.title.strip() or post.body.strip()):
                raise InputError("the draft is empty", path=post.path, field="text")
        return self.suggestions(posts, self.score(self.documents(posts)), limit=limit,
                                threshold=threshold, explain=explain)

    def suggestions(self, posts: Sequence[Post], scored, *, limit: int | None = None,
                    threshold: float | None = None, explain: int = 0) -> list[Suggestion]:
        """Suggestions for posts already scored (``scored``: what ``score`` gave for their
        documents), for a caller that uses the scores too."""
        cats, tags, X = scored
        out = []
        for i in range(len(posts)):
            categories = []
            if cats is not None:
                categories = [Scored(self.category_labels[k], float(cats[i, k]))
                              for k in np.argsort(-cats[i], kind="stable")]
            tag_scores = tags[i] if tags is not None else np.zeros(0)
            chosen = self.choose_tags(tag_scores, limit, threshold) if tags is not None else []
            order = np.argsort(-tag_scores, kind="stable")[:N_CANDIDATES]
            suggestion = Suggestion(
                category=categories[0] if categories else None,
                categories=categories,
                tags=self._scored_tags(chosen, tag_scores, posts[i].date),
                tag_candidates=self._scored_tags(order, tag_scores, posts[i].date),
            )
            if explain:
                suggestion.explanations = self._explain(X[i], suggestion, chosen, explain)
                if self.neighbours is not None:
                    suggestion.similar_posts = [Scored(title, sim) for title, sim in
                                                self.neighbours.similar(X[i], 3)]
            out.append(suggestion)
        return out

    def _scored_tags(self, indices, scores: np.ndarray, date) -> list[Scored]:
        # A series label takes the draft's year: `advent{year}` is `advent2025` in 2025.
        return [Scored(render(self.tag_labels[k], date), float(scores[k])) for k in indices]

    def suggest_text(self, text: str, path: str = "<draft>", **kwargs) -> Suggestion:
        """Suggestion for one draft given as Markdown (front matter optional) or plain text."""
        post = parse_post(text, path, require_front_matter=False)
        return self.suggest_posts([post], **kwargs)[0]

    def terms(self, x, kind: str, label: str, n: int) -> list[Scored]:
        """The ``n`` terms of feature row ``x`` that add most to ``label``'s score (``kind``:
        "category" or "tags"); [] for a label the model does not know."""
        if kind == "category":
            k = self._positions["category"].get(label)
            if self.category_model is None or k is None:
                return []
            coef = self.category_model.coef_
            weights = coef[k] if len(coef) > 1 else coef[0] * (1 if k else -1)
        else:
            k = self._positions["tags"].get(label)
            if self.tag_model is None or k is None:
                return []
            weights = self.tag_model.coef_[k]
        row = x.tocsr()
        columns, values = row.indices, row.data
        contributions = values * weights[columns]
        best = np.argsort(-contributions, kind="stable")[:n]
        vocabulary = self.vectorizer.vocabulary
        return [Scored(str(vocabulary[columns[j]]), float(contributions[j]))
                for j in best if contributions[j] > 0]

    @functools.cached_property
    def _positions(self) -> dict[str, dict[str, int]]:
        # Label -> index, built once: an editor asks the terms of every label it lists.
        return {"category": {c: k for k, c in enumerate(self.category_labels)},
                "tags": {t: k for k, t in enumerate(self.tag_labels)}}

    def _explain(self, x, suggestion: Suggestion, chosen: list[int],
                 n: int) -> dict[str, dict[str, list[Scored]]]:
        """The terms of this draft that added most to each suggested label's score."""
        out: dict[str, dict[str, list[Scored]]] = {"category": {}, "tags": {}}
        if suggestion.category and self.category_model is not None:
            label = suggestion.category.label
            out["category"][label] = self.terms(x, "category", label, n)
        for k, tag in zip(chosen, suggestion.tags, strict=True):
            out["tags"][tag.label] = self.terms(x, "tags", self.tag_labels[k], n)
        return out
