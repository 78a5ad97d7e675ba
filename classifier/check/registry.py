"""The rules of ``bunrui check``, registered by id, and the order they run in.

Each rule is one function registered with ``@rule``: its stable id, default severity,
whether it needs the model and whether ``--fix`` can apply its fix, and which rules it
supersedes. A rule's function yields ``Hit``s; the checker turns them into findings
with the rule's severity, file and line.

What a rule looks at is its scope: a file that could not be read (``FILE``: the function
gets the ``PostError``), a label field as a whole (``FIELD``: the ``PostContext``), or
each label of the field (``LABEL``: the context and the ``Label``).

Exclusivity is declared, not left to the order of the code: once a rule finds a label
(a field, a file) wrong, the rules it ``supersedes`` report nothing more on that label,
whether or not the first rule is reported (switching a rule off never brings out a
weaker rule's finding). So a tag is reported once, by the most specific rule: an alias is
not also an unknown tag, a tag given twice is a duplicate whatever else is wrong with it.
Only asides (surrounding spaces) are reported regardless. Rules run in an order that
honours this (a rule before those it supersedes).

``RULES`` is in the order of the rule table (docs/taxonomy.md, ``--list-rules``, SARIF):
file rules, category rules, tag rules, the model's rules last; within each, the order
they are registered in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..taxonomy import SEVERITIES
from .findings import Fix

FILE = "file"
FIELD = "field"
LABEL = "label"


@dataclass(frozen=True)
class Hit:
    """What a rule found: a message and a fix.

    ``item``: the label a field rule's hit is about (its line is the one shown).
    ``aside``: a problem of how the label is written (surrounding spaces) that leaves the
    label itself to the other rules: it supersedes nothing and is reported even where
    the rule is superseded.
    """

    message: str
    fix: Fix | None = None
    item: int | None = None
    aside: bool = False


@dataclass(frozen=True)
class Rule:
    """A check: its stable id, default severity, and what it looks for."""

    id: str
    severity: str
    summary: str
    scope: str
    check: Callable
    field: str | None = None  # "categories" or "tags" for FIELD and LABEL rules
    model: bool = False  # needs a trained model
    fixable: bool = False  # `--fix` can apply its fix
    supersedes: tuple[str, ...] = ()


RULES: dict[str, Rule] = {}
_FIELDS = (None, "categories", "tags")


def rule(id: str, severity: str, summary: str, *, scope: str, field: str | None = None,
         model: bool = False, fixable: bool = False,
         supersedes: tuple[str, ...] = ()) -> Callable[[Callable], Callable]:
    """Register the decorated function as the check of rule ``id``."""
    if id in RULES:
        raise ValueError(f"rule {id} is registered twice")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {id}: unknown severity {severity!r}")
    if (scope == FILE) != (field is None):
        raise ValueError(f"rule {id}: a field goes with the FIELD and LABEL scopes")

    def register(check: Callable) -> Callable:
        RULES[id] = Rule(id, severity, summary, scope, check, field, model, fixable,
                         tuple(supersedes))
        table = sorted(RULES.values(), key=lambda r: (r.model, _FIELDS.index(r.field)))
        RULES.clear()
        RULES.update((r.id, r) for r in table)
        return check

    return register


@functools.cache
def run_order(scope: str, field: str | None, model: bool) -> tuple[Rule, ...]:
    """The rules of one scope and field (taxonomy or model ones) in the order they run:
    each before the rules it supersedes, else in the order of ``RULES``."""
    chosen = [r for r in RULES.values()
              if r.scope == scope and r.field == field and r.model == model]
    before = {r.id: {s.id for s in chosen if r.id in s.supersedes} for r in chosen}
    out: list[Rule] = []
    while chosen:
        ready = next((r for r in chosen if not before[r.id] - {o.id for o in out}), None)
        if ready is None:
            raise ValueError("rules supersede each other in a cycle: "
                             + ", ".join(r.id for r in chosen))
        out.append(ready)
        chosen.remove(ready)
    unknown = {s for r in out for s in r.supersedes if s not in RULES}
    if unknown:
        raise ValueError(f"supersedes names unknown rule(s): {', '.join(sorted(unknown))}")
    return tuple(out)


def rule_table(severities: Mapping[str, str] | None = None) -> list[dict]:
    """The rules as rows (id, severity in force, default, summary, model, fixable)."""
    severities = severities or {}
    return [{"id": r.id, "severity": severities.get(r.id, r.severity), "default": r.severity,
             "summary": r.summary, "model": r.model, "fixable": r.fixable}
            for r in RULES.values()]
