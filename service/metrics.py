"""Prometheus metrics of the service: requests and latencies by route and status."""

from __future__ import annotations

import os
import time

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Suggestions take milliseconds to a few hundred; a reload or a huge batch, seconds.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.5, 5.0)


class Metrics:
    """The metrics of one app. With several worker processes prometheus-client keeps
    values in files under $PROMETHEUS_MULTIPROC_DIR (set by ``bunrui serve``) and
    ``exposition`` adds up every worker's."""

    def __init__(self) -> None:
        disable_created_metrics()  # the *_created series only double the output here
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None
        labels = ("method", "route", "status")
        self.requests = Counter("bunrui_http_requests", "HTTP requests answered", labels,
                                registry=self.registry)
        self.latency = Histogram("bunrui_http_request_duration_seconds",
                                 "Time to answer an HTTP request", labels, buckets=_BUCKETS,
                                 registry=self.registry)
        self.reloads = Counter("bunrui_model_reloads", "Model reloads by outcome", ("outcome",),
                               registry=self.registry)

    def exposition(self) -> bytes:
        if self.multiprocess_dir and os.path.isdir(self.multiprocess_dir):
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self.multiprocess_dir)
            return generate_latest(registry)
        return generate_latest(self.registry)


def route_template(routes, scope: Scope) -> str:
    """The path template a request matched (``/v1/suggest``), never the raw path: raw paths
    would let clients create unbounded label values."""
    route = scope.get("route")
    if route is not None and isinstance(getattr(route, "path", None), str):
        return route.path
    # Rejected before routing (413): find the route it was meant for.
    partial = None
    for candidate in routes:
        match, _ = candidate.matches(scope)
        if match is Match.FULL:
            return candidate.path
        if match is Match.PARTIAL and partial is None:
            partial = candidate.path  # the path exists, with another method
    return partial or "unmatched"


class MetricsMiddleware:
    """Counts and times every HTTP request, including those rejected before routing."""

    def __init__(self, app: ASGIApp, metrics: Metrics, routes: list) -> None:
        self.app = app
        self.metrics = metrics
        self.routes = [r for r in routes if isinstance(getattr(r, "path", None), str)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            labels = (scope["method"], route_template(self.routes, scope), str(status))
            self.metrics.requests.labels(*labels).inc()
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - start)
