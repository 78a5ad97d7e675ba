"""`bunrui info`: print a model's card."""

from __future__ import annotations

import argparse
import json

from bunrui.classifier import read_card

from ..bundled import default_model
from . import options


def add_parser(commands) -> None:
    p = commands.add_parser("info", help="print a model's card")
    options.add_model(p, default=default_model())
    p.add_argument("--json", action="store_true", help="print the card as JSON")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    card = read_card(args.model)
    if args.json:
        print(json.dumps(card, ensure_ascii=False, indent=2))
        return 0
    training = card.get("training", {})
    labels = card.get("labels", {})
    print(f"model: {args.model}")
    print(f"created: {card.get('created')}  format {card.get('format_version')}")
    print(f"trained on {training.get('posts')} posts dated "
          f"{' .. '.join(map(str, training.get('date_range', [])))}, fingerprint "
          f"{training.get('fingerprint')}")
    print("categories: " + ", ".join(f"{k} {v}" for k, v in labels.get("categories", {}).items()))
    print(f"tags ({len(labels.get('tags', {}))}): "
          + ", ".join(f"{k} {v}" for k, v in labels.get("tags", {}).items()))
    print("recency half-life (days; none = no weighting): "
          + ", ".join(f"{k} {v or 'none'}" for k, v in (card.get("half_life_days") or {}).items()))
    print(f"rare tags left out: {len(card.get('rare_tags', {}))}; tag threshold "
          f"{card.get('tag_threshold')}, at most {card.get('max_tags')} tags")
    if card.get("validation"):
        print(f"validation: {json.dumps(card['validation'], ensure_ascii=False)}")
    if card.get("evaluation"):
        print(f"evaluation: {json.dumps(card['evaluation'], ensure_ascii=False)}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in card.get("versions", {}).items()))
    return 0
