"""``bunrui taxonomy init``: a starter ``bunrui.toml`` written from a blog's posts."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ..corpus.labels import is_malformed_tag, label_key
from ..corpus.posts import Post
from .similarity import duplicate_groups, generic_labels, nearest_label

_TRAILER = (
    "", "[tags.deprecated]",
    "# Retired tag = its replacement (\"\" when it has none).",
    "", "[rules]",
    "# Severity per rule id: \"error\", \"warning\", \"notice\" or \"off\".",
    "# Run `bunrui check --list-rules` for the rules and their defaults.",
    "# tag-new = \"off\"",
    "", "[model]",
    "# Thresholds of the model-based rules (defaults in docs/taxonomy.md).",
    "# category_ratio = 5.0", "",
)


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class _TagReview:
    """What init makes of a corpus's tags: the ones that look wrong, probable duplicates."""

    counts: Counter
    malformed: set[str]
    is_category: set[str]
    generic: dict[str, int]  # tag -> how many other tags contain it
    suspicious: set[str]  # all three above: written commented out, kept out of groups
    groups: list[tuple[str, list[tuple[str, str]]]]  # (canonical, [(variant, why), ...])
    aliased: set[str]  # the variants in groups

    @classmethod
    def of(cls, counts: Counter, category_names: Collection[str]) -> _TagReview:
        category_keys = {label_key(c) for c in category_names}
        malformed = {t for t in counts if is_malformed_tag(t)}
        is_category = {t for t in counts if label_key(t) in category_keys}
        generic = generic_labels(counts)
        suspicious = malformed | is_category | set(generic)
        groups = duplicate_groups({t: n for t, n in counts.items() if t not in suspicious})
        aliased = {variant for _, variants in groups for variant, _ in variants}
        return cls(counts, malformed, is_category, generic, suspicious, groups, aliased)

    def canonical_line(self, tag: str) -> str:
        """The tag's item in ``canonical``: commented out, with the reason, if it looks wrong."""
        n = self.counts[tag]
        if tag in self.malformed:
            return f"    # {toml_string(tag)},  # {n}: malformed"
        if tag in self.is_category:
            return f"    # {toml_string(tag)},  # {n}: the name of a category"
        if tag in self.generic:
            return (f"    # {toml_string(tag)},  # {n}: generic, part of {self.generic[tag]} "
                    "other tags")
        if tag in self.aliased:
            return f"    {toml_string(tag)},  # {n}: probable duplicate, see [tags.aliases]"
        return f"    {toml_string(tag)},  # {n}"

    def disallowed_lines(self) -> list[str]:
        """Category names and generic tags, proposed in comments (malformed ones are fixed)."""
        # Ties by name: a set's order changes with the hash seed, and the file with it.
        tags = sorted(self.suspicious - self.malformed, key=lambda t: (-self.counts[t], t))
        return [f"    # {toml_string(tag)},  # {self.counts[tag]}: "
                + ("a category name" if tag in self.is_category else "generic") for tag in tags]

    def alias_lines(self) -> list[str]:
        """Each probable duplicate as a commented-out alias of the more used label."""
        return [f"# {toml_string(variant)} = {toml_string(canonical)}  "
                f"# {self.counts[variant]} vs {self.counts[canonical]} posts: {why}"
                for canonical, variants in self.groups for variant, why in variants]


def _category_lines(posts: Sequence[Post], declared: list[str], allowed: list[str],
                    counts: Counter) -> list[str]:
    out = ["[categories]"]
    if declared:
        out.append("# From the site configuration; the number is how many posts use each.")
    else:
        out.append("# The categories the posts use, with how many posts use each.")
    out.append("allowed = [")
    out += [f"    {toml_string(name)},  # {counts.get(name, 0)}" for name in allowed]
    out.append("]")
    most = max(Counter(len(p.categories) for p in posts if p.categories), default=1)
    out.append(f"max_per_post = {1 if most <= 1 else most}")
    out += ["", "[categories.deprecated]",
            "# Old category = its replacement; `bunrui check --fix` rewrites posts that use it."]
    for name in (c for c, _ in counts.most_common() if c not in allowed):
        guess = nearest_label(name, allowed)
        out.append(f"# {toml_string(name)} = {toml_string(guess or allowed[0] if allowed else '')}"
                   f"  # used by {counts[name]} posts but not declared")
    return out


def _tag_lines(posts: Sequence[Post], review: _TagReview) -> list[str]:
    out = ["[tags]"]
    per_post = sorted(len(p.tags) for p in posts if p.tags)
    if per_post:
        p95 = per_post[min(len(per_post) - 1, int(0.95 * len(per_post)))]
        out.append("min_per_post = 1")
        out.append(f"max_per_post = {p95}  # 95% of posts have at most this many "
                   f"(the most: {per_post[-1]})")
    out.append("# Every tag with how many posts use it. Commented-out ones look wrong; "
               "see the notes.")
    out.append("canonical = [")
    out += [review.canonical_line(tag)
            for tag, _ in sorted(review.counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    out.append("]")
    out.append("# Tags no post may carry (generic filler, category names).")
    out += ["disallowed = [", *review.disallowed_lines(), "]"]
    out += ["", "[tags.aliases]",
            "# Probable duplicates: variant = canonical tag. Uncomment the ones you confirm;",
            "# `bunrui check --fix` then rewrites the variant to the canonical tag."]
    return out + review.alias_lines()


def init_taxonomy(posts: Sequence[Post], *, categories: Sequence[str] = (),
                  source: str = "", today: dt.date | None = None) -> str:
    """A starter ``bunrui.toml`` for a corpus, as text.

    Every category and tag with its count; tags that look wrong (malformed, equal to a
    category, too generic) and probable duplicates are proposed in comments for an
    editor to confirm. ``categories``: the site's declared categories, if any.
    """
    today = today or dt.date.today()
    cat_counts = Counter(c for p in posts for c in dict.fromkeys(p.categories))
    tag_counts = Counter(t for p in posts for t in dict.fromkeys(p.tags))
    declared = list(dict.fromkeys(categories))
    allowed = declared or [c for c, _ in cat_counts.most_common()]
    review = _TagReview.of(tag_counts, [*allowed, *cat_counts])
    header = [
        "# bunrui taxonomy: the labels this blog allows and how strictly posts are checked.",
        f"# Written by `bunrui taxonomy init` on {today.isoformat()} from {len(posts)} posts"
        + (f" in {source}" if source else "") + ".",
        "# Review it, uncomment what you confirm, and keep it at the site root as bunrui.toml.",
        "# The format is described in docs/taxonomy.md of bunrui.",
        "",
    ]
    return "\n".join([*header, *_category_lines(posts, declared, allowed, cat_counts), "",
                      *_tag_lines(posts, review), *_TRAILER])
