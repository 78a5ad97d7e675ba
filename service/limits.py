"""Request size limit: 413 for bodies over the limit, by Content-Length or as streamed."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .schemas import error_body

# An oversized body is read to its end and dropped before the 413 goes out, up to this
# much. Closing a connection with unread data makes the kernel reset it, and a client that
# sends the whole body before reading the answer (urllib, requests) then sees "connection
# reset by peer" instead of the 413. Beyond this the connection is closed all the same.
DRAIN_BYTES = 64 * 1024 * 1024


class BodyLimitMiddleware:
    """Rejects a body larger than ``max_bytes`` before any route sees it.

    The declared Content-Length is checked first; the body actually received is counted
    too, since a chunked request declares none and a client may understate it. Bodies are
    at most ``max_bytes`` (1 MiB by default), so reading them whole here costs little.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = max(DRAIN_BYTES, 4 * max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, expects_continue = 0, False
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0  # unparseable: the server itself rejects it; count below
            elif name == b"expect":
                expects_continue = value.lower() == b"100-continue"
        if declared > self.max_bytes:
            # A client that waits for "100 Continue" has sent no body yet: answering now
            # spares it the upload. Any other is sending it: drain it, then answer.
            drained = not expects_continue and await self._drain(receive, 0, declared)
            await self._too_large(send, close=not drained)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                more = message.get("more_body", False)
                drained = not more or await self._drain(receive, size, declared)
                await self._too_large(send, close=not drained)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _drain(self, receive: Receive, size: int, declared: int) -> bool:
        """Read and drop the rest of the body; False if it is over the cap or cut off."""
        if declared > self.drain_bytes:
            return False
        while size <= self.drain_bytes:
            message = await receive()
            if message["type"] != "http.request":
                return False
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                return size <= self.drain_bytes
        return False

    async def _too_large(self, send: Send, *, close: bool) -> None:
        payload = json.dumps(error_body(
            f"body: the request body is larger than {self.max_bytes} bytes", "body",
            [{"field": "body", "message": f"larger than {self.max_bytes} bytes"}])).encode()
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(payload)).encode())]
        if close:  # the rest of the body is still coming: the connection cannot be reused
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})
