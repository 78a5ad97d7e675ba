"""Metadata checks: rules with stable ids over posts' front matter, a taxonomy and a model.

Each rule is registered in ``registry.RULES`` by the module of what it looks at
(``front_matter``, ``categories``, ``tags``, ``model_rules``); ``Checker`` runs them.
"""

from ..taxonomy import SEVERITIES
from . import categories, front_matter, model_rules, tags  # noqa: F401  (they register rules)
from .checker import Checker
from .findings import CheckReport, Finding, Fix, ModelScores, has_errors
from .model_rules import DEFAULT_THRESHOLDS
from .registry import RULES, Rule, rule_table

__all__ = ["RULES", "DEFAULT_THRESHOLDS", "CheckReport", "Checker", "Finding", "Fix",
           "ModelScores", "Rule", "SEVERITIES", "has_errors", "rule_table"]
