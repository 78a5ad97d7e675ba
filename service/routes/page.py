"""The editor's page: one HTML file, its script and its style sheet, served from memory."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Response

STATIC = Path(__file__).resolve().parent.parent / "static"
# Everything the page needs comes from this server; the policy makes the browser refuse
# anything else, so the page cannot fetch from the network even by mistake.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
       "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
_FILES = {"index.html": "text/html; charset=utf-8",
          "app.js": "text/javascript; charset=utf-8",
          "app.css": "text/css; charset=utf-8"}


def _file_route(name: str):
    # A fixed table of files read once: no request can name a file of its choosing.
    content = (STATIC / name).read_bytes()
    headers = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
               "Cache-Control": "no-cache"}

    async def serve() -> Response:
        return Response(content, media_type=_FILES[name], headers=headers)

    return serve


def page_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    router.add_api_route("/", _file_route("index.html"), methods=["GET"])
    router.add_api_route("/static/app.js", _file_route("app.js"), methods=["GET"])
    router.add_api_route("/static/app.css", _file_route("app.css"), methods=["GET"])
    return router
