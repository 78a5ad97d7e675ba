"""Rules on what the model makes of a post: another category, a missing or unlikely tag."""

from __future__ import annotations

from collections.abc import Iterator

from ..corpus.labels import label_key
from .context import CATEGORIES, TAGS, Label, PostContext
from .findings import Fix, fmt
from .registry import FIELD, LABEL, Hit, rule

# Thresholds of the model-based rules, chosen by bench/check_detection.py on the allforces
# blog: a model trained on the posts before 2026-02-21 scored the posts of 2026-02-21..28
# (labelled the way the blog labels now), with errors injected into copies of them; for
# each rule, the threshold catching the most while tripping at most 5% of the clean posts
# (and not at the edge where they start to trip). Measured rates: docs/benchmarks.md. A
# taxonomy file's [model] table overrides them.
DEFAULT_THRESHOLDS: dict[str, float] = {
    # category-mismatch: the best category at least this probable ...
    "category_min": 0.3,
    # ... and at least this many times as probable as the post's own category.
    "category_ratio": 10.0,
    # tag-likely-missing: a missing tag at least this probable.
    "tag_missing": 0.7,
    # tag-unlikely: a present tag at most this probable.
    "tag_unlikely": 0.03,
    # At most this many tag-likely-missing findings per post.
    "tag_missing_max": 2,
}


@rule("category-mismatch", "warning", "the model strongly prefers another category",
      scope=FIELD, field=CATEGORIES, model=True)
def category_mismatch(ctx: PostContext) -> Iterator[Hit]:
    cats, best, view = ctx.post.categories, ctx.best_category, ctx.view
    if not cats or best is None:
        return
    cat, scores = cats[0], ctx.scores.categories
    if cat == best or cat not in scores or (view.categories and cat not in view.categories):
        return
    p_best, p_cat = scores[best], scores[cat]
    th = view.thresholds
    if p_best >= th["category_min"] and p_best >= th["category_ratio"] * max(p_cat, 1e-12):
        yield Hit(f"the model prefers category '{best}' ({fmt(p_best)}) to '{cat}' "
                  f"({fmt(p_cat)})",
                  Fix(f"replace the category '{cat}' with '{best}'", CATEGORIES, 0,
                      cat, best), item=0)


@rule("tag-likely-missing", "notice", "the model finds a tag very likely that is missing",
      scope=FIELD, field=TAGS, model=True)
def tag_likely_missing(ctx: PostContext) -> Iterator[Hit]:
    scores, view = ctx.scores, ctx.view
    t, th = view.taxonomy, view.thresholds
    if not (scores and scores.tags) or (t.max_tags and len(ctx.tags) >= t.max_tags):
        return  # no room for another tag: suggesting one would only be noise
    present = _present_keys(ctx)
    shown = 0
    for tag, p in sorted(scores.tags.items(), key=lambda kv: -kv[1]):
        if p < th["tag_missing"] or shown >= th["tag_missing_max"]:
            break
        k = label_key(tag)
        if (k in present or k in view.rules.disallowed or k in view.category_keys
                or tag in t.tag_aliases or tag in t.deprecated_tags
                or (view.tags and tag not in view.tags)):
            continue
        yield Hit(f"the model finds tag '{tag}' very likely ({fmt(p)}) but the post lacks it",
                  Fix(f"add the tag '{tag}'", TAGS, None, None, tag))
        shown += 1


def _present_keys(ctx: PostContext) -> set[str]:
    """The keys of the post's tags in the taxonomy's terms (an alias as its canonical tag,
    a retired tag as its replacement); tags a taxonomy rule rejected do not count."""
    view, keys = ctx.view, set()
    for label in ctx.labels[TAGS]:
        if "tag-alias" in label.verdicts.found:
            keys.add(label_key(view.alias_target(label.text, label.key)))
        elif "tag-deprecated" in label.verdicts.found:
            new = view.taxonomy.deprecated_tags[label.text]
            if new:
                keys.add(label_key(new))
        elif "tag-unlikely" not in label.verdicts.ended:  # no rule found the tag wrong
            keys.add(label.key)
    return keys


@rule("tag-unlikely", "notice", "the model finds a present tag very unlikely", scope=LABEL,
      field=TAGS, model=True)
def tag_unlikely(ctx: PostContext, label: Label) -> Iterator[Hit]:
    scores = ctx.scores
    if not (scores and scores.tags):
        return
    tag = label.text
    p = scores.tags.get(tag)
    if p is not None and p <= ctx.view.thresholds["tag_unlikely"]:
        yield Hit(f"the model finds tag '{tag}' very unlikely here ({fmt(p)})",
                  Fix(f"remove the tag '{tag}'", TAGS, label.index, label.raw, None))
