"""Rules on a post's categories against the taxonomy."""

from __future__ import annotations

from collections.abc import Iterator

from ..taxonomy import nearest_label
from .context import CATEGORIES, Label, PostContext
from .findings import Fix, fmt
from .registry import FIELD, LABEL, Hit, rule


@rule("category-missing", "error", "the post has no category", scope=FIELD, field=CATEGORIES)
def category_missing(ctx: PostContext) -> Iterator[Hit]:
    if ctx.post.categories or not ctx.view.taxonomy.uses_categories:
        return
    best = ctx.best_category
    if best is None:
        yield Hit("the post has no category")
        return
    yield Hit(f"the post has no category; the model suggests '{best}' "
              f"({fmt(ctx.scores.categories[best])})",
              Fix(f"add the category '{best}'", CATEGORIES, 0, None, best))


@rule("category-multiple", "error", "more categories than the blog allows per post",
      scope=FIELD, field=CATEGORIES)
def category_multiple(ctx: PostContext) -> Iterator[Hit]:
    cats, most = ctx.post.categories, ctx.view.taxonomy.max_categories
    if most and len(cats) > most:
        yield Hit(f"{len(cats)} categories ({', '.join(cats)}); the blog allows {most} per post")


@rule("category-unknown", "error", "a category outside the taxonomy", scope=LABEL,
      field=CATEGORIES)
def category_unknown(ctx: PostContext, label: Label) -> Iterator[Hit]:
    view, cat = ctx.view, label.text
    if not view.categories or cat in view.categories:
        return
    t, best = view.taxonomy, ctx.best_category
    variant = view.category_keys.get(label.key)
    if variant is not None and variant in t.deprecated_categories:
        variant = t.deprecated_categories[variant]
    if variant is not None:
        message = f"category '{cat}' is not in the taxonomy; did you mean '{variant}'?"
        suggestion = variant
    elif best is not None:
        message = (f"category '{cat}' is not in the taxonomy; the model's best category is "
                   f"'{best}' ({fmt(ctx.scores.categories[best])})")
        suggestion = best
    else:
        suggestion = nearest_label(cat, t.categories)
        message = f"category '{cat}' is not in the taxonomy" + (
            f"; nearest: '{suggestion}'" if suggestion else f" ({', '.join(t.categories)})")
    yield Hit(message, Fix(f"replace the category '{cat}' with '{suggestion}'", CATEGORIES,
                           label.index, cat, suggestion) if suggestion else None)


@rule("category-deprecated", "error", "a retired category that has a replacement",
      scope=LABEL, field=CATEGORIES, fixable=True, supersedes=("category-unknown",))
def category_deprecated(ctx: PostContext, label: Label) -> Iterator[Hit]:
    cat, retired = label.text, ctx.view.taxonomy.deprecated_categories
    if cat not in retired:
        return
    new, best = retired[cat], ctx.best_category
    # The replacement is certain; the model's view is only a hint to look again.
    hint = (f"; the model's best category is '{best}' ({fmt(ctx.scores.categories[best])})"
            if best and best != new else "")
    yield Hit(f"category '{cat}' is retired; it is now '{new}'{hint}",
              Fix(f"replace the category '{cat}' with '{new}'", CATEGORIES,
                  label.index, cat, new, True))
