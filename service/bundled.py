"""The bundled model: what `--model` and ``BUNRUI_MODEL`` default to in both front ends."""

from __future__ import annotations

from importlib.resources import files


def default_model() -> str:
    """The folder of the bundled model of the allforces blog."""
    # Package data of bunrui.models: in the source tree (an editable install) and in an
    # installed wheel alike. Installed wheels are folders on disk, so the path is real.
    return str(files("bunrui.models") / "allforces")
