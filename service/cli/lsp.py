"""`bunrui lsp`: the language server, for editors (docs/editors.md)."""

from __future__ import annotations

import argparse

from . import options


def add_parser(commands) -> None:
    p = commands.add_parser(
        "lsp", help="run the language server an editor starts (completion, checks, fixes)",
        description="Serve the Language Server Protocol over standard input and output: "
                    "label completion, `check`'s findings and fixes, hover. The model and "
                    "taxonomy are found from each document's folder as `check` finds them; "
                    "an editor's settings bunrui.model and bunrui.taxonomy override them.")
    p.add_argument("--tcp", type=options.positive, metavar="PORT",
                   help="listen on this port of 127.0.0.1 instead (for debugging)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: pygls is loaded only by the command that needs it.
    from bunrui.service.lsp.server import serve

    serve(args.tcp)
    return 0
