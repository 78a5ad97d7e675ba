"""Prometheus exposition of the service's metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from ..metrics import CONTENT_TYPE

router = APIRouter(tags=["operations"])


@router.get("/metrics", response_class=Response, summary="Prometheus metrics",
            responses={200: {"content": {CONTENT_TYPE.split(";")[0]: {}},
                             "description": "request counts and latency histograms by "
                                            "route and status"}})
async def metrics(request: Request) -> Response:
    # On the event loop, not in the suggestion threads: a scrape never waits behind drafts.
    return Response(request.app.state.metrics.exposition(), media_type=CONTENT_TYPE)
