"""What the model knows, its card, liveness and readiness, and reloading it."""

from __future__ import annotations

import secrets
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..deps import HolderDep, ModelDep, SettingsDep
from ..holder import LoadedModel
from ..schemas import (
    Health,
    LabelCount,
    Labels,
    ModelInfo,
    Ready,
    ReloadResult,
    error_body,
    error_responses,
)

router = APIRouter(tags=["model"])
NO_MODEL = error_responses(503)


def _counts(mapping: object) -> list[LabelCount]:
    if not isinstance(mapping, dict):
        return []
    return [LabelCount(label=str(k), count=int(v)) for k, v in mapping.items()]


def model_info(model: LoadedModel) -> ModelInfo:
    return ModelInfo(loaded_at=model.loaded_at, generation=model.generation,
                     card=model.card.as_json())


@router.get("/v1/labels", response_model=Labels, responses=NO_MODEL,
            summary="The categories and tags the model knows, with counts")
async def labels(model: ModelDep) -> Labels:
    known = model.card.labels
    return Labels(categories=_counts(known.get("categories")), tags=_counts(known.get("tags")),
                  rare_tags=_counts(model.card.rare_tags))


@router.get("/v1/model", response_model=ModelInfo, responses=NO_MODEL,
            summary="The model card of the model serving now")
async def model_card(model: ModelDep) -> ModelInfo:
    return model_info(model)


@router.get("/healthz", response_model=Health, summary="Alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Ready,
            responses={503: {"model": Ready, "description": "no model is loaded"}},
            summary="Ready: a model is loaded")
async def readyz(holder: HolderDep):
    if holder.current is None:
        return JSONResponse(Ready(status="not ready", detail=holder.problem).model_dump(),
                            status_code=503)
    return Ready(status="ready")


_bearer = HTTPBearer(auto_error=False, description="the admin token (BUNRUI_ADMIN_TOKEN)")
reload_router = APIRouter(tags=["model"])


@reload_router.post(
    "/v1/model/reload", response_model=ReloadResult,
    responses={**error_responses(401),
               409: {"model": ReloadResult,
                     "description": "the reload failed (the previous model keeps serving) "
                                    "or another reload is running"}},
    summary="Load the model folder again and swap it in atomically")
async def reload(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                 holder: HolderDep,
                 settings: SettingsDep):
    """Reads the configured model folder again (never a path from the request). Requests
    in flight finish with the model they started with; on failure nothing changes."""
    token = settings.admin_token.get_secret_value() if settings.admin_token else ""
    given = credentials.credentials if credentials else ""
    if not token or not secrets.compare_digest(given.encode(), token.encode()):
        return JSONResponse(error_body("a valid admin token is required"), status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    metrics = request.app.state.metrics
    try:
        # A thread of its own, outside the suggestion threads' limit: suggestions go on
        # being answered (with the old model) while the new one loads.
        ok, why = await anyio.to_thread.run_sync(holder.reload,
                                                 limiter=anyio.CapacityLimiter(1))
    except RuntimeError as exc:
        ok, why = False, str(exc)
    metrics.reloads.labels("ok" if ok else "failed").inc()
    current = holder.current
    result = ReloadResult(reloaded=ok, detail=why,
                          model=model_info(current) if current else None)
    if not ok:
        return JSONResponse(result.model_dump(mode="json"), status_code=409)
    return result
