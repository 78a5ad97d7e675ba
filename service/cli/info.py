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
        print(json.dumps(card.as_json(), ensure_ascii=False, indent=2))
        return 0
    training, labels = card.training, card.labels
    print(f"model: {args.model}")
    print(f"created: {card.created}  format {card.format_version}")
    print(f"trained on {training.posts} posts dated "
          f"{' .. '.join(map(str, training.date_range))}, fingerprint {training.fingerprint}")
    print("categories: " + ", ".join(f"{k} {v}" for k, v in labels.get("categories", {}).items()))
    print(f"tags ({len(labels.get('tags', {}))}): "
          + ", ".join(f"{k} {v}" for k, v in labels.get("tags", {}).items()))
    print("recency half-life (days; none = no weighting): "
          + ", ".join(f"{k} {v or 'none'}" for k, v in card.half_life_days.items()))
    print(f"rare tags left out: {len(card.rare_tags)}; tag threshold "
          f"{card.tag_threshold}, at most {card.max_tags} tags")
    _print_choices(card.validation)
    for name, value in card.conventions.items():
        print(f"convention: {name.replace('_', ' ')}: {value}")
    if card.evaluation:
        print(f"evaluation: {json.dumps(card.evaluation, ensure_ascii=False)}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in card.versions.items()))
    return 0


def _print_choices(validation: dict) -> None:
    """The candidates chosen and how each did on the validation windows."""
    chosen = validation.get("chosen")
    if not chosen:
        return
    print(f"chosen: categories {chosen.get('categories')}, tags {chosen.get('tags')}"
          + (f" (reused from the model of {validation['reused_from']})"
             if "reused_from" in validation else ""))
    windows = validation.get("windows") or []
    if windows:
        print("validation windows: " + ", ".join(f"{w['posts']} posts from {w['since']}"
                                                 for w in windows))
    for name, figures in (validation.get("candidates") or {}).items():
        print(f"  {name}: " + ", ".join(f"{k.replace('_', ' ')} {v:.3f}"
                                        for k, v in figures.items()))
    named = validation.get("named_tags")
    if named:
        print(f"seldom-used tags named in a draft's title: {named['carried']} of the "
              f"{named['titles']} newest titles that named one carried it (score "
              f"{named['rate']:.2f}); " + ("suggested" if named["used"] else "not suggested"))
    new = validation.get("new_tags")
    if new:
        print(f"words of a draft's title no tag has: {new['carried']} of the {new['words']} "
              f"in the newest titles became tags (score {new['rate']:.2f}"
              + (", lowercased" if new["lowercase"] else "") + "); "
              + ("offered as new tags" if new["used"] else "not offered"))
    mentions = (validation.get("calibration") or {}).get("mentions")
    if mentions:
        print(f"a tag named in the title adds {mentions[0]:.2f} to its log-odds, "
              f"in the body up to {mentions[1]:.2f} (0: left out, no better on the windows)")
