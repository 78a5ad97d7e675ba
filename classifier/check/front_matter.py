"""Rules on files that could not be read as posts: no front matter, or one that is broken."""

from __future__ import annotations

from collections.abc import Iterator

from ..errors import NoFrontMatterError, PostError
from .registry import FILE, Hit, rule


@rule("front-matter-missing", "error", "the file has no front matter", scope=FILE,
      supersedes=("front-matter-invalid",))
def front_matter_missing(error: PostError) -> Iterator[Hit]:
    if isinstance(error, NoFrontMatterError):
        yield Hit(error.message)


@rule("front-matter-invalid", "error",
      "the front matter cannot be read (encoding, YAML/TOML syntax, field types)", scope=FILE)
def front_matter_invalid(error: PostError) -> Iterator[Hit]:
    yield Hit(error.message)
