"""Dependencies routes ask for: the settings, the model holder, the loaded model and the
taxonomy that checks and suggestions follow. Tests override them to inject their own."""

from __future__ import annotations

import os
import threading
from typing import Annotated

from fastapi import Depends, Request

from bunrui.classifier import ModelError
from bunrui.classifier.taxonomy import Taxonomy, resolve_taxonomy

from .holder import LoadedModel, ModelHolder
from .settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_holder(request: Request) -> ModelHolder:
    return request.app.state.holder


async def get_model(holder: Annotated[ModelHolder, Depends(get_holder)]) -> LoadedModel:
    """The model to answer with (503 if none): read once, so a reload never changes it
    under this request."""
    model = holder.current
    if model is None:
        raise ModelError(holder.problem or "no model loaded")
    return model


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
ModelDep = Annotated[LoadedModel, Depends(get_model)]


class TaxonomyCache:
    """The last taxonomy read, kept until its file or the model changes (one per app)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple | None = None
        self._taxonomy: Taxonomy | None = None

    def get(self, path: str | None, model: LoadedModel) -> Taxonomy:
        """The file at ``path`` completed by the model card; without one, the card's labels."""
        try:
            stamp = os.stat(path).st_mtime_ns if path else None
        except OSError:
            stamp = None
        key = (path, stamp, model.generation, id(model.card))
        with self._lock:
            if key == self._key:
                return self._taxonomy
        taxonomy = resolve_taxonomy(path, card=model.card)
        with self._lock:
            self._key, self._taxonomy = key, taxonomy
        return taxonomy


def get_taxonomy(request: Request, model: ModelDep, settings: SettingsDep) -> Taxonomy:
    """The taxonomy (``BUNRUI_TAXONOMY``, else the model card): what `/v1/check` holds a
    draft to, and so what `/v1/suggest` keeps its suggestions within."""
    return request.app.state.taxonomies.get(settings.taxonomy, model)


TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
