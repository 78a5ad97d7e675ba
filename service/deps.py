"""Dependencies routes ask for: the settings, the model holder, the loaded model."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from classifier import ModelError

from .holder import LoadedModel, ModelHolder
from .settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_holder(request: Request) -> ModelHolder:
    return request.app.state.holder


async def get_model(holder: Annotated[ModelHolder, Depends(get_holder)]) -> LoadedModel:
    """The model to answer with (503 if none): read once, so a reload never changes it
    under this request. Tests override this dependency to inject a model."""
    model = holder.current
    if model is None:
        raise ModelError(holder.problem or "no model loaded")
    return model


SettingsDep = Annotated[Settings, Depends(get_settings)]
HolderDep = Annotated[ModelHolder, Depends(get_holder)]
ModelDep = Annotated[LoadedModel, Depends(get_model)]
