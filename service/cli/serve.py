"""`bunrui serve`: the HTTP service under uvicorn, which imports the app by name."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from typing import TYPE_CHECKING

from bunrui.classifier import InputError, read_card
from bunrui.classifier.taxonomy import resolve_taxonomy

from . import options

if TYPE_CHECKING:
    from ..settings import Settings

# Each worker builds its app from the BUNRUI_* variables: the command line never imports it.
APP = "bunrui.service.main:worker_app"
PROTOCOL = "bunrui.service.transport:NoDelayHTTPProtocol"

# uvicorn's supervisor kills a worker whose health-check thread has not answered within
# this many seconds (its default is 5). That thread needs the GIL, which MeCab holds for a
# whole draft, and on a busy machine a worker computing suggestions is alive but slow:
# killing it drops every request it holds. A hung worker is still replaced, later.
WORKER_HEALTHCHECK_SECONDS = 30


def add_parser(commands) -> None:
    p = commands.add_parser("serve", help="serve suggestions over HTTP, with the editor's page")
    options.add_model(p, "model folder (default: $BUNRUI_MODEL, else the bundled model)")
    p.add_argument("--host", help="address to bind (default: $BUNRUI_HOST, else 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: $BUNRUI_PORT, else 8000)")
    p.add_argument("--workers", type=options.positive,
                   help="worker processes (default: $BUNRUI_WORKERS, else 1)")
    options.add_taxonomy(p, "bunrui.toml the suggestions and checks follow (default: "
                            "$BUNRUI_TAXONOMY, else the model card's labels)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # pydantic and uvicorn load only here, so the other commands start fast.
    from pydantic import ValidationError

    from ..settings import Settings

    given = {k: getattr(args, k) for k in ("model", "host", "port", "workers", "taxonomy")
             if getattr(args, k) is not None}
    for path in ("model", "taxonomy"):  # the workers may start in another folder
        if path in given:
            given[path] = os.path.abspath(given[path])
    try:
        settings = Settings(**given)
    except ValidationError as exc:
        problem = exc.errors()[0]
        raise InputError(problem["msg"], field=".".join(map(str, problem["loc"]))) from None
    # A missing or foreign model, or a broken taxonomy, stops here with the reason, not in
    # each worker.
    resolve_taxonomy(settings.taxonomy, card=read_card(settings.model))
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    print(f"bunrui: the editor's page is at http://{host}:{settings.port}/ (API docs: /docs; "
          f"model {settings.model}; {settings.workers} worker(s))", flush=True)
    run_server(settings)
    return 0


def run_server(settings: Settings) -> None:
    """Run uvicorn with ``settings`` until interrupted.

    Worker processes build their own app from ``BUNRUI_*`` variables, so the settings
    travel there through the environment. Several workers share a temporary folder for
    their metrics and for following each other's model reloads.
    """
    import uvicorn

    run_dir = None
    if settings.workers > 1 and not settings.run_dir:
        run_dir = tempfile.mkdtemp(prefix="bunrui-serve-")
        os.makedirs(os.path.join(run_dir, "metrics"))
        settings = settings.model_copy(update={"run_dir": run_dir})
        # prometheus-client reads this when imported, in each freshly spawned worker.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(run_dir, "metrics")
    for name, value in settings.model_dump(exclude_none=True).items():
        if name == "cors_origins":
            value = ",".join(value)
        elif name == "admin_token":
            value = settings.admin_token.get_secret_value()
        os.environ[f"BUNRUI_{name.upper()}"] = str(value)
    try:
        uvicorn.run(APP, factory=True, host=settings.host, port=settings.port,
                    workers=settings.workers, timeout_graceful_shutdown=10,
                    timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS, http=PROTOCOL)
    finally:
        if run_dir:
            shutil.rmtree(run_dir, ignore_errors=True)
