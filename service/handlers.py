"""One place mapping errors to HTTP answers: bunrui's own, validation, and HTTP errors."""

from __future__ import annotations

import logging
import sys

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bunrui.classifier import BunruiError, InputError, ModelError, PostError

from .schemas import error_body

log = logging.getLogger("bunrui.service")

# Most specific first: the first class an error is an instance of decides.
STATUS = ((InputError, 422), (PostError, 422), (ModelError, 503), (BunruiError, 400))


def status_for(exc: BunruiError) -> int:
    return next(code for cls, code in STATUS if isinstance(exc, cls))


def _bunrui_error(request: Request, exc: BunruiError) -> JSONResponse:
    status = status_for(exc)
    if status == 503 or not (exc.path or exc.field):
        return JSONResponse(error_body(str(exc)), status_code=status)
    # Routes name a draft's path after the request field it came from ("text",
    # "documents.2.text"), so the path is the field a client must fix.
    field = exc.path if exc.path and exc.field and exc.path.endswith(exc.field) else (
        exc.path or exc.field)
    where = f"{field} (line {exc.line})" if exc.line else field
    detail = f"{where}: {exc.message}"
    return JSONResponse(error_body(detail, field, [{"field": field, "message": exc.message}]),
                        status_code=status)


def _field(loc: tuple | list) -> str:
    """("body", "documents", 0, "text") -> "documents.0.text"; the body itself -> "body"."""
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _message(error: dict) -> str:
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ")
    if error.get("type") == "json_invalid":
        why = (error.get("ctx") or {}).get("error")
        message = f"malformed JSON{f' ({why})' if why else ''}"
    return message


def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = []
    for error in exc.errors():
        loc = error.get("loc", ())
        # A JSON syntax error is located at a character offset, not a field.
        field = "body" if error.get("type") == "json_invalid" else _field(loc)
        errors.append({"field": field, "message": _message(error)})
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
    return JSONResponse(error_body(detail, errors[0]["field"] if errors else None, errors),
                        status_code=422)


def _unreadable(cause: BaseException | None) -> str:
    """Why the body could not be read as JSON (FastAPI turns it into a bare 400)."""
    if isinstance(cause, RecursionError):
        # json.loads recurses once per level, so the interpreter's recursion limit is the
        # bound, less the frames already on the stack: "about".
        return f"JSON nested too deeply (at most about {sys.getrecursionlimit()} levels)"
    if isinstance(cause, UnicodeDecodeError):
        return (f"malformed JSON (not UTF-8 text: byte {cause.start} is "
                f"0x{cause.object[cause.start]:02x})")
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        return f"malformed JSON (a number with more than {sys.get_int_max_str_digits()} digits)"
    return f"malformed JSON ({cause})" if cause else "malformed JSON"


def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 400:
        # FastAPI's only 400 is a body that json.loads could not read (it raises the HTTP
        # error from the cause): like any malformed JSON, a 422 about the body.
        message = _unreadable(exc.__cause__)
        return JSONResponse(error_body(f"body: {message}", "body",
                                       [{"field": "body", "message": message}]),
                            status_code=422)
    return JSONResponse(error_body(str(exc.detail)), status_code=exc.status_code,
                        headers=getattr(exc, "headers", None))


def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # A safety net: the tests (schemathesis included) show no request reaches it.
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return JSONResponse(error_body("internal error; see the server log"), status_code=500)


def install(app: FastAPI) -> None:
    app.add_exception_handler(BunruiError, _bunrui_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
