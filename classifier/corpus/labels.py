"""What a label is: the key its spellings share, and whether a tag is well formed.

One definition for every caller: ``bunrui check`` reports what ``tag_defects`` finds as
``tag-malformed``, and ``bunrui taxonomy init`` comments out the same tags as malformed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")
# `技術: LLM`, `企業：日本企業`: a field name left in the tag. An ASCII colon counts only
# before a space, so `C++:20`, `10:30` and URLs are tags.
_KEY_VALUE = re.compile(r"^[^:：\s][^:：]*(?::\s|：)\s*(\S.*)$")
# `Python, Django`, `Python，Django`, `AI、機械学習`: a list written as one tag.
_LIST = re.compile(r"[,、，\n\t]")
_LIST_SEPARATOR = re.compile(r"[,、，]")
# `カテゴリ：`: a field name whose value was lost.
_KEY_ONLY = re.compile(r"^[^:：\s][^:：]*[:：]$")

EMPTY = "empty"
SPACES = "spaces"
KEY_VALUE = "key-value"
LIST = "list"
KEY_ONLY = "key-only"


# A list written as one string: `tags: a, b` (Hugo, Pelican) is split at its commas,
# `tags: a b` (Jekyll) at its spaces.
# Each match is one label, its surrounding spaces left out.
_COMMAS = re.compile(r"[^,、，\s](?:[^,、，]*[^,、，\s])?")
_WORDS = re.compile(r"\S+")
_WHOLE = re.compile(r"\S(?:.*\S)?", re.DOTALL)


# Keys that name one label: `category: Web Development` is one category, as in Jekyll.
SINGLE_LABEL_KEYS = frozenset({"category", "tag"})


def string_labels(value: str, key: str) -> list[tuple[str, int, int]]:
    """The labels of a string-valued label field ``key``, each as (label, start, end) in
    ``value``: the whole string under a key that names one label (``SINGLE_LABEL_KEYS``),
    else split at commas where it has one (a label then may hold spaces), else at spaces."""
    if key.casefold() in SINGLE_LABEL_KEYS:
        parts = _WHOLE
    elif _LIST_SEPARATOR.search(value):
        parts = _COMMAS
    else:
        parts = _WORDS
    return [(m.group(), m.start(), m.end()) for m in parts.finditer(value)]


def label_key(label: str) -> str:
    """What two spellings of one label share: NFKC width, case and spacing folded."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", label)).casefold()


@dataclass(frozen=True)
class Defect:
    """One way a tag is malformed; ``value`` is the tag a ``key: value`` tag probably is."""

    kind: str
    value: str | None = None


def tag_defects(tag: str) -> list[Defect]:
    """How ``tag`` (as written) is malformed: empty, surrounding spaces, and at most one of
    a ``key: value`` shape, a list in one tag or a key with no value. [] when well formed."""
    trimmed = tag.strip()
    if not trimmed:
        return [Defect(EMPTY)]
    found = [Defect(SPACES)] if trimmed != tag else []
    if match := _KEY_VALUE.match(trimmed):
        found.append(Defect(KEY_VALUE, match.group(1).strip()))
    elif _LIST.search(trimmed):
        found.append(Defect(LIST))
    elif _KEY_ONLY.match(trimmed):
        found.append(Defect(KEY_ONLY))
    return found


def is_malformed_tag(tag: str) -> bool:
    """Whether ``tag`` is malformed (``tag_defects`` finds something)."""
    return bool(tag_defects(tag))
