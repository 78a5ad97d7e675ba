"""A blog's own habits, learned from its posts, where a rule would otherwise assume one
blog's taste. Each is saved in the model card; a taxonomy file's setting overrides it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..corpus.labels import label_key
from ..corpus.posts import Post

# Jekyll blogs often tag a post with its category too (category `JavaScript`, tags
# `JavaScript`, `Electron`). Where at least this share of the posts with a category do, it
# is the blog's convention: such tags are suggested, and `check` does not warn of them.
# allforces, where a category among the tags is a defect, is at 2.9%; mamezou, znz and
# lacolaco at 0.
TAG_IS_CATEGORY_SHARE = 0.2
# Where at least this share of the posts go without tags (or, on a blog with categories,
# without a category), leaving them out is the blog's habit, not a slip: `check` does not
# warn of it. lacolaco leaves a quarter of its posts untagged; the other blogs under 1%.
OPTIONAL_SHARE = 0.1
# Where at least this share of the posts carry a tag no other post has, one-off tags are
# the blog's habit: a draft's title that names one is suggested it (``named_tags``). The
# suite's blogs: mamezou 18%, lacolaco 14%, znz 12%; allforces 0.3%, where such a tag is a
# slip (`EU AI法` once, then 「EU AI法」 in many titles, tagged `AI規制対応`).
ONE_OFF_SHARE = 0.05
# On a blog without tags, where at least this share of the posts with a category carry
# several, the categories are the blog's tags (Hatena's `Category:` list, Quarto's
# `categories`): they are learned as tags too, and `check` holds them to the tag rules.
CATEGORIES_AS_TAGS_SHARE = 0.3
# The most tags a post gets: this percentile of the blog's tags per post, at most MAX_TAGS.
# The most categories likewise: Hexo's `categories: [技術, Python]` (a path), Jekyll's
# several, Hatena's `Category:` list.
TAGS_PERCENTILE, MAX_TAGS = 95, 10


def tag_is_category_share(posts: Sequence[Post]) -> float:
    """The share of the posts with a category that carry it among their tags."""
    with_category = [p for p in posts if p.categories]
    if not with_category:
        return 0.0
    return float(np.mean([bool({label_key(c) for c in p.categories}
                                & {label_key(t) for t in p.tags}) for p in with_category]))


def categories_as_tags(posts: Sequence[Post]) -> bool:
    """Whether ``posts`` (as read) use their categories as tags: no post has a tag, and a
    fair share of those with a category carry several."""
    with_category = [p for p in posts if p.categories]
    return (bool(with_category) and not any(p.tags for p in posts)
            and float(np.mean([len(p.categories) > 1 for p in with_category]))
            >= CATEGORIES_AS_TAGS_SHARE)


def most_labels(counts: Sequence[int]) -> int:
    """The most labels a post gets, from the counts of the posts that have any."""
    return int(min(MAX_TAGS, max(1, np.percentile([n for n in counts if n] or [1],
                                                  TAGS_PERCENTILE))))


def category_note(counts: Counter) -> str | None:
    """Why no category model is learned, if none is."""
    if not counts:
        return "no post has a category"
    if len(counts) == 1:
        (only, n), = counts.items()
        return (f"every post with a category has the same one ({only!r}, {n} posts): "
                "it tells nothing of a draft, so no category model is learned")
    return None


def learn_conventions(posts: Sequence[Post], category_counts: Counter,
                      as_tags: bool = False) -> dict:
    """The blog's conventions, as the model card holds them (``as_tags``: the posts'
    categories were copied to their tags, ``categories_as_tags``)."""
    share = tag_is_category_share(posts)
    untagged = float(np.mean([not p.tags for p in posts])) if posts else 0.0
    uses = Counter(t for p in posts for t in dict.fromkeys(p.tags))
    one_off = float(np.mean([any(uses[t] == 1 for t in p.tags) for p in posts])) if posts else 0.0
    out: dict = {"tag_is_category_share": round(share, 4),
                 "tag_is_category": share >= TAG_IS_CATEGORY_SHARE,
                 "max_tags": most_labels([len(p.tags) for p in posts]),
                 "untagged_share": round(untagged, 4),
                 "tags_optional": untagged >= OPTIONAL_SHARE,
                 "one_off_tag_share": round(one_off, 4),
                 "one_off_tags": one_off >= ONE_OFF_SHARE,
                 "categories_as_tags": as_tags}
    if len(category_counts) >= 2:
        uncategorized = float(np.mean([not p.categories for p in posts]))
        out.update(uncategorized_share=round(uncategorized, 4),
                   category_optional=uncategorized >= OPTIONAL_SHARE,
                   max_categories=most_labels([len(p.categories) for p in posts]))
    note = category_note(category_counts)
    if note:
        out["categories"] = note
    return out
