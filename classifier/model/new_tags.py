"""Words of a draft's title the blog has never used as tags, offered as new tags.

A blog whose authors tag freely tags a post with what its title names (「GraalVM Native
Imageを試す」, tag `GraalVM`) before any post had that tag: half of mamezou's newest tags
were new. No model learns a tag no post carries, but the habit shows in the blog's newest
posts: how many of their titles' words that were no tag yet became one. Such a word
(Latin letters: the name of a product, a language, a service; not an English function
word) is offered at that share, written as the blog wrote the ones it made tags (as in
the title, or lowercased), and suggested only where the share reaches the tag threshold,
as any tag is chosen. A blog that never did it is offered none.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..corpus.posts import Post
from .named_tags import RATE_SHARE, rate_of

# A word in Latin letters and digits, joined by `.`, `+`, `#` or `-` (Next.js, C#, C++,
# GPT-4o, EC2).
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[.+#-][A-Za-z0-9]+)*[+#]*")
# English words that name no topic (lacolaco titles some posts in English).
FUNCTION_WORDS = frozenset(
    "a an and are as at be by do for from how i in is it my of on or our the this that to "
    "vs was we what when which why with you your".split())


def title_words(title: str) -> list[str]:
    """The words of ``title`` that could be tags, each once (whatever its case), in order."""
    found: dict[str, str] = {}
    for word in WORD.findall(unicodedata.normalize("NFKC", title)):
        if len(word) >= 2 and word.casefold() not in FUNCTION_WORDS:
            found.setdefault(word.casefold(), word)
    return list(found.values())


@dataclass(frozen=True)
class NewTags:
    """What a draft's title words are offered as: the tags the blog has (casefolded), the
    score a word no tag has gets, and whether the blog lowercases such a word."""

    known: frozenset[str]
    rate: float
    lowercase: bool

    def named(self, title: str) -> list[str]:
        """The words of ``title`` no tag of the blog has, as the blog would write them."""
        return [word.lower() if self.lowercase else word for word in title_words(title)
                if word.casefold() not in self.known]


def learn_new_tags(posts: Sequence[Post]) -> tuple[NewTags | None, dict]:
    """The new tags of ``posts`` (in date order), counted on the newest ``RATE_SHARE``
    of them as each met its title's words (the tags used before it): None where none of
    those words became a tag; and the figures."""
    first = int(len(posts) * (1 - RATE_SHARE))
    known: set[str] = set()
    named = carried = lowered = as_written = 0
    for n, post in enumerate(posts):
        if n >= first:
            tags = {tag.casefold(): tag for tag in post.tags}
            for word in title_words(post.title):
                if word.casefold() in known:
                    continue
                named += 1
                tag = tags.get(word.casefold())
                if tag is not None:
                    carried += 1
                    as_written += tag == word
                    lowered += tag != word and tag == word.lower()
        known.update(tag.casefold() for tag in post.tags)
    rate = rate_of(carried, named)
    lowercase = lowered > as_written
    found = {"words": named, "carried": carried, "rate": rate, "lowercase": lowercase,
             "used": carried > 0}
    return (NewTags(frozenset(known), rate, lowercase) if carried else None), found
