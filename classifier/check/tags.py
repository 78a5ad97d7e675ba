"""Rules on a post's tags against the taxonomy: how many, how written, which."""

from __future__ import annotations

from collections.abc import Iterator

from ..corpus.labels import EMPTY, KEY_ONLY, KEY_VALUE, LIST, SPACES, Defect, tag_defects
from ..model.series import label_of, render
from ..taxonomy import nearest_label
from .context import TAGS, Label, PostContext
from .findings import Fix
from .registry import FIELD, LABEL, Hit, rule

# What is wrong with a tag, most certain first: a tag is reported by the first of these
# that finds it wrong, and neither by the later ones nor by the rules that look at tags
# as they stand (an alias is not also an unknown or an unlikely tag). Surrounding spaces
# are reported whatever else is.
_RANKED = ("tag-duplicate", "tag-malformed", "tag-is-category", "tag-alias",
           "tag-deprecated", "tag-disallowed")
_AS_THEY_STAND = ("tag-series-year", "tag-unknown", "tag-new", "tag-unlikely")


def _after(rule_id: str) -> tuple[str, ...]:
    """What the ranked rule ``rule_id`` supersedes."""
    return (*_RANKED[_RANKED.index(rule_id) + 1 :], *_AS_THEY_STAND)


@rule("tags-missing", "warning", "the post has no tags", scope=FIELD, field=TAGS)
def tags_missing(ctx: PostContext) -> Iterator[Hit]:
    if ctx.tags or not ctx.view.taxonomy.min_tags:
        return
    scores = ctx.scores
    yield Hit("the post has no tags" + (f"; the model suggests {ctx.view.top_tags(scores, 3)}"
                                        if scores and scores.tags else ""))


@rule("tags-too-few", "warning", "fewer tags than the taxonomy's minimum", scope=FIELD,
      field=TAGS)
def tags_too_few(ctx: PostContext) -> Iterator[Hit]:
    tags, least = ctx.tags, ctx.view.taxonomy.min_tags
    if tags and len(tags) < least:
        yield Hit(f"{len(tags)} tag(s); the taxonomy asks for at least {least}")


@rule("tags-too-many", "warning", "more tags than the taxonomy's maximum", scope=FIELD,
      field=TAGS)
def tags_too_many(ctx: PostContext) -> Iterator[Hit]:
    tags, most = ctx.tags, ctx.view.taxonomy.max_tags
    if most and len(tags) > most:
        yield Hit(f"{len(tags)} tags; the taxonomy allows at most {most}")


@rule("tag-duplicate", "error", "a tag given twice (exactly or as a width/case variant)",
      scope=LABEL, field=TAGS, fixable=True, supersedes=_after("tag-duplicate"))
def tag_duplicate(ctx: PostContext, label: Label) -> Iterator[Hit]:
    tag, first, i = label.text, label.first, label.index
    if first == tag:
        yield Hit(f"tag '{tag}' is given twice",
                  Fix(f"remove the second '{tag}'", TAGS, i, label.raw, None, True))
    elif first is not None:
        yield Hit(f"tag '{tag}' duplicates '{first}' (a width/case variant)",
                  Fix(f"remove '{tag}'", TAGS, i, label.raw, None))


@rule("tag-malformed", "error",
      "an empty tag, surrounding spaces, a 'key: value' shape or a list in one tag",
      scope=LABEL, field=TAGS, fixable=True, supersedes=_after("tag-malformed"))
def tag_malformed(ctx: PostContext, label: Label) -> Iterator[Hit]:
    for defect in tag_defects(label.raw):
        yield _malformed(label, defect)


def _malformed(label: Label, defect: Defect) -> Hit:
    tag, i, raw = label.text, label.index, label.raw
    if defect.kind == EMPTY:
        return Hit(f"tag {i + 1} is empty", Fix("remove the empty tag", TAGS, i, raw, None))
    if defect.kind == SPACES:
        return Hit(f"tag {raw!r} has surrounding spaces",
                   Fix(f"trim it to '{tag}'", TAGS, i, raw, tag, True), aside=True)
    if defect.kind == KEY_VALUE:
        return Hit(f"tag '{tag}' has a 'key: value' shape; the tag is probably "
                   f"'{defect.value}'", Fix(f"replace it with '{defect.value}'", TAGS, i, raw,
                                            defect.value))
    if defect.kind == LIST:
        return Hit(f"tag '{tag}' holds a list or a control character; give each tag "
                   "separately")
    assert defect.kind == KEY_ONLY, defect
    return Hit(f"tag '{tag}' ends in a colon: a field name with no value",
               Fix(f"remove the tag '{tag}'", TAGS, i, raw, None))


@rule("tag-is-category", "warning", "a tag equal to a category name", scope=LABEL,
      field=TAGS, supersedes=_after("tag-is-category"))
def tag_is_category(ctx: PostContext, label: Label) -> Iterator[Hit]:
    if label.key in ctx.view.category_keys:
        tag = label.text
        yield Hit(f"tag '{tag}' is the name of a category; tags should say more than the "
                  "category does", Fix(f"remove the tag '{tag}'", TAGS, label.index,
                                       label.raw, None))


@rule("tag-alias", "warning", "an alias used instead of its canonical tag", scope=LABEL,
      field=TAGS, fixable=True, supersedes=_after("tag-alias"))
def tag_alias(ctx: PostContext, label: Label) -> Iterator[Hit]:
    tag = label.text
    canonical = ctx.view.alias_target(tag, label.key)
    if canonical is not None:
        yield Hit(f"tag '{tag}' is an alias of '{canonical}'",
                  Fix(f"replace '{tag}' with '{canonical}'", TAGS, label.index, label.raw,
                      canonical, True))


@rule("tag-deprecated", "warning", "a retired tag", scope=LABEL, field=TAGS, fixable=True,
      supersedes=_after("tag-deprecated"))
def tag_deprecated(ctx: PostContext, label: Label) -> Iterator[Hit]:
    tag, retired = label.text, ctx.view.taxonomy.deprecated_tags
    if tag not in retired:
        return
    new, i, raw = retired[tag], label.index, label.raw
    yield Hit(f"tag '{tag}' is retired" + (f"; it is now '{new}'" if new else ""),
              Fix(f"replace '{tag}' with '{new}'", TAGS, i, raw, new, True) if new else
              Fix(f"remove the tag '{tag}'", TAGS, i, raw, None))


@rule("tag-disallowed", "warning", "a tag the taxonomy does not allow", scope=LABEL,
      field=TAGS, supersedes=_after("tag-disallowed"))
def tag_disallowed(ctx: PostContext, label: Label) -> Iterator[Hit]:
    if label.key in ctx.view.rules.disallowed:
        tag = label.text
        yield Hit(f"tag '{tag}' is not allowed by the taxonomy",
                  Fix(f"remove the tag '{tag}'", TAGS, label.index, label.raw, None))


@rule("tag-unknown", "warning", "a tag outside the taxonomy's canonical tags", scope=LABEL,
      field=TAGS, supersedes=("tag-new",))
def tag_unknown(ctx: PostContext, label: Label) -> Iterator[Hit]:
    view, tag = ctx.view, label.text
    if view.tags and label_of(tag, view.tags) not in view.tags:
        near = nearest_label(tag, view.taxonomy.tags)
        yield Hit(f"tag '{tag}' is not among the canonical tags"
                  + (f"; nearest: '{near}'" if near else ""),
                  Fix(f"replace '{tag}' with '{near}'", TAGS, label.index, label.raw, near)
                  if near else None)


@rule("tag-series-year", "warning",
      "a tag of a yearly series (advent{year}) with another year than the post's date",
      scope=LABEL, field=TAGS, supersedes=("tag-unknown", "tag-new"))
def tag_series_year(ctx: PostContext, label: Label) -> Iterator[Hit]:
    tag, date = label.text, ctx.post.date
    series = label_of(tag, ctx.view.series)
    expected = render(series, date) if series != tag and date else tag
    if expected != tag:
        # Typically copied from last year's post of the series.
        yield Hit(f"tag '{tag}' is of the yearly series '{series}', but the post is dated "
                  f"{date.year}", Fix(f"replace '{tag}' with '{expected}'", TAGS, label.index,
                                      label.raw, expected))


@rule("tag-new", "notice",
      "a tag no post of the model's training data had (no canonical list declared)",
      scope=LABEL, field=TAGS)
def tag_new(ctx: PostContext, label: Label) -> Iterator[Hit]:
    view, tag = ctx.view, label.text
    if not view.tags and view.known and label_of(tag, view.known) not in view.known:
        near = nearest_label(tag, view.taxonomy.known_tags)
        yield Hit(f"tag '{tag}' is new: no post the model learned from has it"
                  + (f"; nearest known tag: '{near}'" if near else ""),
                  Fix(f"replace '{tag}' with '{near}'", TAGS, label.index, label.raw, near)
                  if near else None)
