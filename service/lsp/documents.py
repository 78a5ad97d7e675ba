"""One version of a document as the server reads it: parsed, read by the model, in its
taxonomy's terms. Built once per version on the model thread and shared by every request
on that version."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bunrui.classifier import BunruiError, Post, PostError, Suggestion, parse_post
from bunrui.classifier.conform import conform
from bunrui.classifier.corpus.posts import (
    DATE_FIELDS,
    MAX_FILE_BYTES,
    TOP_KEY,
    split_front_matter,
)
from bunrui.classifier.taxonomy import Taxonomy

from .blog import Blog, Model, Reading
from .positions import Positions


@dataclass
class View:
    """A document's version with everything the requests on it read."""

    uri: str
    version: int | None
    path: str
    text: str
    positions: Positions
    post: Post | None  # None when the front matter does not parse
    error: PostError | None  # why it does not
    taxonomy: Taxonomy
    model: Model | None
    reading: Reading | None
    problem: str | None = None  # a taxonomy that cannot be read, said once as a diagnostic

    @functools.cached_property
    def suggestion(self) -> Suggestion | None:
        """The model's suggestion in the taxonomy's terms, as `bunrui suggest` gives it."""
        return conform(self.reading.suggestion, self.taxonomy) if self.reading else None


def unreadable(text: str, path: str) -> PostError | None:
    """Why a document is not read as a post at all: too large, or binary."""
    if len(text) > MAX_FILE_BYTES:
        return PostError(f"larger than {MAX_FILE_BYTES // 2**20} MB; not read", path=path)
    if "\0" in text:
        return PostError("holds NUL characters: a binary file, not a post; not read",
                         path=path)
    return None


def _lenient_post(text: str, path: str) -> Post | None:
    """The draft for the model while its front matter does not parse (a label half typed):
    its body, and its title and date when their own lines parse."""
    try:
        fmt, source, body, _ = split_front_matter(text, path)
    except PostError:
        return None
    lines = [line for line in source.splitlines(keepends=True)
             if (m := TOP_KEY.match(line)) and m.group(1) in ("title", *DATE_FIELDS)]
    head = "".join(line for line in lines if line.endswith(("\n", "\r")))
    try:
        return parse_post(f"---\n{head}---\n{body}" if fmt else body, path,
                          require_front_matter=False)
    except PostError:
        return Post(path=path, title="", body=body)


def build_view(blog: Blog, uri: str, version: int | None, text: str, path: str,
               positions: Positions) -> View:
    """Read one version of a document."""
    model = blog.model(path)
    problem = None
    try:
        taxonomy = blog.taxonomy(path, model)
    except BunruiError as exc:
        problem = f"the taxonomy cannot be read, so only built-in limits apply: {exc}"
        taxonomy = Taxonomy()
    post, error = None, unreadable(text, path)
    if error is None:
        try:
            post = parse_post(text, path)
        except PostError as exc:
            error = exc
    readable = post
    if post is None and not unreadable(text, path):
        readable = _lenient_post(text, path)
    reading = model.read(readable) if model is not None and readable is not None else None
    return View(uri, version, path, text, positions, post, error, taxonomy, model, reading,
                problem)
