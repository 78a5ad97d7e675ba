"""Yearly series tags (``advent2024``, ``summer2025``): one label, the year from the date.

Blogs tag a yearly event with its year, so each year's tag is new when the year's first
post is written and a model of the literal tags can only suggest last year's. A tag
belongs to a series when the same tag with other years exists and its year is the year
of its post's date; the model then learns the series (``advent{year}``) and suggestions
fill in the draft's year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence

from ..corpus.posts import Post

YEAR = "{year}"
_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
# A blog that back-dates a post or two still has a series; a product name with a year
# (`Office2019` written about for years) does not.
_SAME_YEAR_SHARE = 0.9


def _template(tag: str) -> tuple[str, int] | None:
    """(``tag`` with its one year replaced by ``{year}``, that year), or None."""
    years = list(_YEAR.finditer(tag))
    if len(years) != 1:
        return None
    found = years[0]
    return tag[: found.start()] + YEAR + tag[found.end() :], int(found.group())


def find_series(posts: Iterable[Post]) -> frozenset[str]:
    """The series templates among the tags of ``posts``."""
    years: dict[str, set[int]] = defaultdict(set)
    uses: dict[str, int] = defaultdict(int)
    same_year: dict[str, int] = defaultdict(int)
    for post in posts:
        for tag in dict.fromkeys(post.tags):
            parsed = _template(tag)
            if parsed is None or post.date is None:
                continue
            template, year = parsed
            years[template].add(year)
            uses[template] += 1
            same_year[template] += year == post.date.year
    return frozenset(t for t, ys in years.items()
                     if len(ys) >= 2 and same_year[t] >= _SAME_YEAR_SHARE * uses[t])


def label_of(tag: str, labels: Collection[str]) -> str:
    """The label ``tag`` counts as: its series template when that is among ``labels``."""
    parsed = _template(tag)
    return parsed[0] if parsed and parsed[0] in labels else tag


def to_series(tags: Sequence[str], series: Collection[str]) -> tuple[str, ...]:
    """``tags`` with the members of a series replaced by the series, without repeats."""
    return tuple(dict.fromkeys(label_of(t, series) for t in tags))


def render(label: str, date: dt.date | None) -> str:
    """A label as a post dated ``date`` is tagged (undated: a draft written today)."""
    if YEAR not in label:
        return label
    return label.replace(YEAR, str((date or dt.date.today()).year))
