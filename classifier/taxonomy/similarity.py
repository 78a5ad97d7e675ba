"""How alike two labels are: edit distance, nearest label, probable duplicates, generic labels."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from .model import label_key


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def nearest_label(label: str, candidates: Iterable[str], limit: int = 2) -> str | None:
    """The candidate closest to ``label``: same key, then containment, then edit distance."""
    key = label_key(label)
    if not key:
        return None
    best: tuple[int, str] | None = None
    for candidate in candidates:
        other = label_key(candidate)
        if other == key:
            return candidate
        if len(key) >= 2 and len(other) >= 2 and (key in other or other in key):
            score = 1
        else:
            score = edit_distance(key, other, limit) + 1
            if score > limit + 1 or score - 1 >= max(len(key), len(other)) / 2:
                continue
        if best is None or score < best[0]:
            best = (score, candidate)
    return best[1] if best else None


def _distance_limit(key: str) -> int:
    # Short labels differ in one character all the time (AI倫理/AI人材 are not duplicates),
    # so only labels of 5+ characters count one edit as a probable duplicate.
    return 2 if len(key) >= 10 else 1 if len(key) >= 5 else 0


def generic_labels(counts: Mapping[str, int], min_containers: int = 3) -> dict[str, int]:
    """Labels contained in at least ``min_containers`` other labels (AI, 技術): too generic.

    Returns label -> how many other labels contain it.
    """
    keys = {label: label_key(label) for label in counts}
    out = {}
    for label, key in keys.items():
        if len(key) < 2:
            continue
        n = sum(1 for other, k in keys.items() if other != label and key in k and k != key)
        if n >= min_containers:
            out[label] = n
    return out


def _contains(longer: str, shorter: str) -> bool:
    """``shorter`` occurs in ``longer`` and, where it ends in a Latin letter or digit, not
    inside a longer word ("xAI" is not part of "Vertex AI"; "ROI" is part of "ROI分析")."""
    start = longer.find(shorter)
    while start >= 0:
        end = start + len(shorter)
        before = longer[start - 1] if start else ""
        after = longer[end] if end < len(longer) else ""
        if not ((shorter[0].isascii() and shorter[0].isalnum() and before.isascii()
                 and before.isalnum())
                or (shorter[-1].isascii() and shorter[-1].isalnum() and after.isascii()
                    and after.isalnum())):
            return True
        start = longer.find(shorter, start + 1)
    return False


def _related(a: str, b: str) -> str | None:
    """Why labels ``a`` and ``b`` look like one label spelt twice, or None."""
    ka, kb = label_key(a), label_key(b)
    if ka == kb:
        return "width/case variant"
    sa, sb = (unicodedata.normalize("NFKC", x).casefold().strip() for x in (a, b))
    if min(len(ka), len(kb)) >= 2 and (_contains(sa, sb) or _contains(sb, sa)):
        return "one contains the other"
    limit = _distance_limit(min(ka, kb, key=len))
    if limit and edit_distance(ka, kb, limit) <= limit:
        return "differ by an edit or two"
    return None


def duplicate_groups(counts: Mapping[str, int],
                     exclude: Iterable[str] = ()) -> list[tuple[str, list[tuple[str, str]]]]:
    """Probable duplicates among labels: (canonical, [(variant, why), ...]) groups.

    Width/case variants, one label containing another, and small edit distances. Each
    label is paired with the most used label it is directly related to, if that one is
    used more; chains are not followed, so 生成AI is not grouped with 画像生成 through
    画像生成AI. Labels in ``exclude`` (generic ones) take no part.
    """
    excluded = set(exclude)
    labels = sorted((label for label in counts if label not in excluded),
                    key=lambda label: (-counts[label], label))
    groups: dict[str, list[tuple[str, str]]] = {}
    for i, label in enumerate(labels):
        for other in labels[:i]:  # more used first
            if counts[other] < counts[label] or other == label:
                continue
            why = _related(label, other)
            if why:
                groups.setdefault(other, []).append((label, why))
                break
    return sorted(groups.items(), key=lambda group: (-counts[group[0]], group[0]))
