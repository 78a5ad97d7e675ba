"""The model's scores of posts for the checks, cached per model and post text."""

from __future__ import annotations

from collections.abc import Sequence

from ..corpus.posts import Post
from ..model.series import render
from ..text.tokens import TokenCache, content_hash, tokenize_many
from ..workers import run
from .findings import ModelScores

# Below this many posts to score, worker processes cost more to start than they save.
_PARALLEL_MIN = 64


def documents(suggester, posts: Sequence[Post], *, cache: TokenCache | None,
              model_key: str | None, n_jobs: int, progress=None) -> list:
    """The model's documents for ``posts``, cached per model and post text.

    Turning a long body into tokens (Markdown to text, boilerplate removal, MeCab) is
    most of the time of a check, so the tokens of a body are kept under a key of the
    model and the body: an unchanged post is never read twice by the same model.
    """
    if cache is None or model_key is None:
        return suggester.documents(posts, cache=cache, n_jobs=n_jobs, progress=progress)
    keys = [content_hash(f"check-body\0{model_key}\0{p.body}") for p in posts]
    known = cache.get_many(list(set(keys)))
    missing = [i for i, k in enumerate(keys) if k not in known]
    docs: list = [None] * len(posts)
    if missing:
        fresh = suggester.documents([posts[i] for i in missing], cache=cache, n_jobs=n_jobs,
                                    progress=progress)
        for i, doc in zip(missing, fresh, strict=True):
            docs[i] = doc
            known[keys[i]] = list(doc[1])
        cache.put_many({keys[i]: list(docs[i][1]) for i in missing})
    present = [i for i in range(len(posts)) if docs[i] is None]
    if present:
        titles = tokenize_many([posts[i].title for i in present], cache=cache)
        for i, title in zip(present, titles, strict=True):
            docs[i] = (title, known[keys[i]])
        if progress:
            progress(2 * len(present))
    return docs


def score(suggester, posts: Sequence[Post], *, cache: TokenCache | None,
          model_key: str | None, n_jobs: int, progress=None) -> dict[str, ModelScores]:
    """The model's category and tag probabilities for each post, by path.

    With a cache and a ``model_key``, the scores of a post whose title and body this
    model has scored before are read back instead of computed: a check of an unchanged
    blog costs reading the files, not the model.
    """
    usable = [p for p in posts if p.title.strip() or p.body.strip()]
    out: dict[str, ModelScores] = {}
    keys: dict[str, str] = {}
    if cache is not None and model_key is not None:
        keys = {p.path: content_hash(f"check-scores\0{model_key}\0{p.title}\0{p.body}")
                for p in usable}
        known = cache.get_scores(list(set(keys.values())))
        for post in usable:
            scores = _decode(suggester, known.get(keys[post.path]), post.date)
            if scores is not None:
                out[post.path] = scores
        if progress and out:
            progress(2 * len(out))
    todo = [p for p in usable if p.path not in out]
    fresh: dict[str, tuple] = {}
    chunks = _scored_chunks(suggester, todo, cache=cache, model_key=model_key, n_jobs=n_jobs,
                            progress=progress)
    for chunk, (cats, tags) in chunks:
        for i, post in enumerate(chunk):
            cat_p = cats[i] if cats is not None else ()
            tag_p = tags[i] if tags is not None else ()
            out[post.path] = model_scores(suggester, cat_p, tag_p, post.date)
            if keys:
                fresh[keys[post.path]] = (cat_p, tag_p)
    if fresh:
        cache.put_scores(fresh)
    return out


def _scored_chunks(suggester, posts: Sequence[Post], *, cache: TokenCache | None,
                   model_key: str | None, n_jobs: int, progress):
    """(posts, (category probabilities, tag probabilities)) chunk by chunk.

    Many posts at once (a whole blog with a cold cache) are read and scored in
    ``n_jobs`` processes: Markdown to text, tokenizing and scoring all happen there, so
    every step of the slow path uses every core, not only MeCab.
    """
    if n_jobs > 1 and len(posts) >= _PARALLEL_MIN:
        size = max(16, -(-len(posts) // (4 * n_jobs)))
        chunks = [posts[i : i + size] for i in range(0, len(posts), size)]
        results = run(_score_chunk, [(suggester, chunk) for chunk in chunks], n_jobs)
        for chunk, result in zip(chunks, results, strict=True):
            if progress:
                progress(2 * len(chunk))
            yield chunk, result
        return
    for start in range(0, len(posts), 512):
        chunk = posts[start : start + 512]
        docs = documents(suggester, chunk, cache=cache, model_key=model_key, n_jobs=n_jobs,
                         progress=progress)
        cats, tags, _ = suggester.score(docs)
        yield chunk, (cats, tags)


def _score_chunk(suggester, posts: Sequence[Post]):
    """Category and tag probabilities of ``posts`` (run in a worker process)."""
    cats, tags, _ = suggester.score(suggester.documents(posts, cache=None, n_jobs=1))
    return cats, tags


def model_scores(suggester, categories, tags, date) -> ModelScores:
    """Probabilities by label, in the order of the model's labels, as a post of ``date``
    is tagged (a series takes its year)."""
    return ModelScores(
        {c: float(p) for c, p in zip(suggester.category_labels_, categories, strict=False)},
        {render(t, date): float(p) for t, p in zip(suggester.tag_labels_, tags, strict=False)})


def _decode(suggester, stored, date) -> ModelScores | None:
    """Scores read back from the cache, or None when they do not fit this model."""
    if stored is None:
        return None
    cats, tags = stored
    s = suggester
    if len(cats) != (len(s.category_labels_) if s.category_model_ is not None else 0) or (
            len(tags) != (len(s.tag_labels_) if s.tag_model_ is not None else 0)):
        return None
    return model_scores(s, cats, tags, date)
