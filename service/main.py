"""The HTTP service: ``create_app`` builds the FastAPI app; the model loads at start-up."""

from __future__ import annotations

import faulthandler
import logging
import threading
from contextlib import asynccontextmanager
from importlib import metadata

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline

from . import handlers
from .deps import TaxonomyCache
from .holder import ModelHolder
from .limits import BodyLimitMiddleware
from .metrics import Metrics, MetricsMiddleware
from .routes import check, metrics, model, page, suggest
from .settings import Settings

log = logging.getLogger("bunrui.service")

DESCRIPTION = """\
Suggests a category and tags for a blog draft, learned from the blog's own posts.

The editor's page is at [/](/). Errors always answer with `{"detail", "field", "errors"}`;
`detail` names the field to fix.
"""


@asynccontextmanager
async def lifespan(app: FastAPI):
    """Load the model before the first request is accepted; follow other workers' reloads."""
    holder: ModelHolder = app.state.holder
    # Plain `def` routes run in AnyIO's thread pool (40 threads by default); each thread
    # that tokenizes keeps its own MeCab tagger, and the GIL runs one at a time anyway.
    anyio.to_thread.current_default_thread_limiter().total_tokens = app.state.settings.threads
    if holder.current is None:
        if holder.load():
            log.info("model loaded from %s", holder.folder)
    stop = threading.Event()
    follower = None
    if holder.run_dir:
        follower = threading.Thread(target=holder.follow, args=(stop,), daemon=True,
                                    name="bunrui-reload-follower")
        follower.start()
    try:
        yield
    finally:
        stop.set()
        if follower:
            follower.join(timeout=2)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app for ``settings`` (default: from ``BUNRUI_*`` environment variables)."""
    settings = settings or Settings()
    try:
        version = metadata.version("bunrui")
    except metadata.PackageNotFoundError:
        version = "0"
    # FastAPIOffline serves /docs with Swagger UI's files from its package, not a CDN.
    app = FastAPIOffline(title="bunrui", version=version, description=DESCRIPTION,
                         lifespan=lifespan, redoc_url=None)
    app.state.settings = settings
    app.state.holder = ModelHolder(settings.model, settings.run_dir)
    app.state.taxonomies = TaxonomyCache()
    app.state.metrics = Metrics()
    handlers.install(app)

    routers = [suggest.router, check.router, model.router, metrics.router, page.page_router()]
    if settings.admin_token is not None:
        routers.append(model.reload_router)
    for router in routers:
        app.include_router(router)

    # Added innermost first: metrics see every answer, 413s included.
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                           allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization"])
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics,
                       routes=[r for router in routers for r in router.routes])

    base_openapi = app.openapi

    def openapi() -> dict:
        schema = base_openapi()
        batch = schema.get("components", {}).get("schemas", {}).get("BatchRequest")
        if batch:  # the configured maximum, so the published schema tells clients
            batch["properties"]["documents"]["maxItems"] = settings.max_batch
        return schema

    app.openapi = openapi
    return app


def worker_app() -> FastAPI:
    """The app of one `bunrui serve` process (uvicorn imports it by name), its settings
    from the environment."""
    # A worker that crashes in C code (MeCab) leaves its Python stacks in the log, not
    # only uvicorn's "Child process died".
    faulthandler.enable()
    return create_app()
