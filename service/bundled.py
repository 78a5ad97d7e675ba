"""The bundled model: what `--model` and ``BUNRUI_MODEL`` default to in both front ends."""

from __future__ import annotations

from pathlib import Path


def default_model() -> str:
    """The folder of the bundled model of the allforces blog."""
    # The one place that knows where it is: shipping it as package data changes only this.
    return str(Path(__file__).resolve().parent.parent / "models" / "allforces")
