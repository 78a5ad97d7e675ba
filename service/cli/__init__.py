"""The `bunrui` command line: a module per command, the options they share in ``options``.

It never imports the HTTP app: `bunrui serve` hands uvicorn the app's import name.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bunrui.classifier import BunruiError

from . import check, evaluate, info, lsp, serve, suggest, taxonomy, train
from .options import UsageError

# Each adds its subcommand with `add_parser`, in the order `bunrui --help` lists them.
COMMANDS = (train, suggest, evaluate, info, serve, check, taxonomy, lsp)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bunrui",
        description="Learn a blog's categories and tags from its posts; suggest them for drafts.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status: 0 done, 1 an error, 2 a usage error."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        parser.error(str(exc))
    except BunruiError as exc:
        print(f"bunrui: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1
