"""A post as a model reads it: its body's blocks, boilerplate removed, tokenized through
the cache."""

from __future__ import annotations

from collections.abc import Sequence

from ..corpus.posts import Post
from ..text.extract import (
    TEXT_VERSION,
    Block,
    BoilerplateFilter,
    extract_blocks,
    fingerprints,
    join_blocks,
)
from ..text.tokens import TokenCache, content_hash, tokenize_many
from ..workers import run
from .features import Document

# What of a title is read, as a body is read only so far: real titles are far shorter, and
# MeCab keeps the memory of the longest text it was given for as long as it lives.
TITLE_CHARS = 1_000


def body_key(body: str) -> str:
    """The cache key of what is extracted from a body."""
    return content_hash(f"blocks\0{TEXT_VERSION}\0{body}")


def _extract_chunk(bodies: list[str]) -> list[list[list]]:
    return [[[b.text, b.heading_level, b.link_only, b.key] for b in extract_blocks(body)]
            for body in bodies]


def extract_many(bodies: Sequence[str], keys: list[str], cache: TokenCache | None,
                 n_jobs: int = 1) -> list[list[Block]]:
    """``extract_blocks`` of each body, through the cache (``keys``: ``body_key`` of each);
    ``n_jobs`` > 1 extracts in worker processes (a blog's bodies take seconds to parse)."""
    known = cache.get_blobs(keys) if cache else {}
    out: list[list[Block] | None] = []
    todo = []
    for i, key in enumerate(keys):
        try:
            out.append([Block(text, level, bool(link), bkey)
                        for text, level, link, bkey in known[key]])
        except (KeyError, TypeError, ValueError):  # absent, or an entry of another shape
            out.append(None)
            todo.append(i)
    chunks = [todo[i : i + 32] for i in range(0, len(todo), 32)]
    fresh = {}
    found = run(_extract_chunk, [([bodies[i] for i in chunk],) for chunk in chunks],
                n_jobs if len(chunks) >= 4 else 1)
    for chunk, parts in zip(chunks, found, strict=True):
        for i, blocks in zip(chunk, parts, strict=True):
            fresh[keys[i]] = blocks
            out[i] = [Block(text, level, bool(link), bkey) for text, level, link, bkey in blocks]
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
        found = extract_many([bodies[i] for i in indices], [keys[i] for i in indices], cache,
                             n_jobs)
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
