"""The language server's wiring: pygls features, one thread for the model, debounced
diagnostics, and answers dropped for versions of a document that are no longer current.

The protocol loop never runs the model: each request's work goes to the one model thread
(the MeCab tagger is never shared). A cancelled request is answered as cancelled at once
(pygls), and work for a version the editor has left is not started.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

from lsprotocol import types
from pygls.exceptions import JsonRpcContentModified
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .actions import code_actions
from .blog import Blog, Settings
from .completion import complete, resolve
from .diagnostics import Checked, check
from .documents import View, build_view
from .hover import hover
from .positions import Positions, utf16_units

# Diagnostics wait this long after the last change: a check per pause in typing, not per key.
DEBOUNCE = 0.25
# Documents whose reading is kept: the ones being edited. Others are read again when asked
# (the model's reading of an unchanged draft is cached apart), so memory does not grow
# with every document an editor has open.
KEPT_VIEWS = 8
# How often the model folder is looked at for a retraining (a stat call: nothing to save on).
RELOAD_INTERVAL = 1.0
# Typing these opens completion in a label field (besides letters, which every editor does).
TRIGGERS = ["[", ",", " ", "-", '"', "'"]

logger = logging.getLogger("bunrui.lsp")


class Server(LanguageServer):
    """The state of one session: settings, open documents' views and pending checks."""

    def __init__(self) -> None:
        super().__init__("bunrui", metadata.version("bunrui"),
                         text_document_sync_kind=types.TextDocumentSyncKind.Full)
        self.blog = Blog(self.log)
        self.model_thread = ThreadPoolExecutor(1, thread_name_prefix="bunrui-model")
        self.root: str | None = None
        self.views: OrderedDict[str, tuple[int | None, str, asyncio.Future]] = OrderedDict()
        self.checked: OrderedDict[str, tuple[int | None, Checked]] = OrderedDict()
        self.pending: dict[str, asyncio.Task] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watcher: asyncio.Task | None = None

    def log(self, message: str) -> None:
        """Tell the editor's log (callable from the model thread)."""
        logger.info(message)
        params = types.LogMessageParams(types.MessageType.Info, f"bunrui: {message}")
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self.window_log_message, params)

    async def on_model(self, work: Callable, *args):
        """``work(*args)`` on the model thread."""
        self.loop = asyncio.get_running_loop()
        return await self.loop.run_in_executor(self.model_thread, work, *args)

    def snapshot(self, uri: str) -> tuple[str, int | None, str, str]:
        """(uri, version, text, path) of a document as it is now."""
        doc = self.workspace.get_text_document(uri)
        return uri, doc.version, doc.source, doc.path or uri

    async def view(self, snapshot: tuple[str, int | None, str, str]) -> View:
        """A document's version as read, read once however many requests ask."""
        uri, version, text, path = snapshot
        known = self.views.get(uri)
        if known is None or known[0] != version or known[1] is not text:
            units = (utf16_units if self.workspace.position_encoding in (
                None, types.PositionEncodingKind.Utf16)
                else self.workspace.position_codec.client_num_units)
            future = asyncio.ensure_future(self.on_model(
                build_view, self.blog, uri, version, text, path, Positions(text, units)))
            known = self.views[uri] = (version, text, future)
        _keep_recent(self.views, uri)
        return await asyncio.shield(known[2])

    def run(self, handler: Callable, *args):
        """Run the coroutine ``handler(*args)`` for a generator request handler (``yield
        from`` it), and let pygls forget it once done: pygls keeps the future of each
        handler a generator yields to (it drops only those of requests), so every answer
        would otherwise stay in memory."""
        try:
            return (yield handler, args, {})
        finally:
            futures = self.protocol._request_futures
            for key in [k for k, f in futures.items() if f.done()]:
                del futures[key]

    async def answer(self, snapshot, work: Callable, *args):
        """``work(view, *args)`` on the model thread for the document's version at the
        request; an answer about a version the editor has left is dropped."""
        view = await self.view(snapshot)
        self.ensure_current(view)  # moved on while the document was read: nothing to do
        result = await self.on_model(work, view, *args)
        self.ensure_current(view)
        return result

    async def fixes(self, snapshot, wanted: types.Range) -> list[types.CodeAction]:
        """The code actions for ``wanted`` of the document's version at the request."""
        view, checked = await self.checked_view(snapshot)
        result = await self.on_model(code_actions, view, checked, wanted)
        self.ensure_current(view)
        return result

    def ensure_current(self, view: View) -> None:
        """Drop an answer about a version the editor has moved past."""
        if self.workspace.get_text_document(view.uri).version != view.version:
            raise JsonRpcContentModified(f"{view.uri} changed (version {view.version} is stale)")

    async def checked_view(self, snapshot) -> tuple[View, Checked]:
        view = await self.view(snapshot)
        uri = view.uri
        known = self.checked.get(uri)
        if known is not None and known[0] == view.version:
            return view, known[1]
        checked = await self.on_model(check, view)
        self.checked[uri] = (view.version, checked)
        _keep_recent(self.checked, uri)
        return view, checked

    def schedule(self, uri: str, delay: float) -> None:
        """Check the document after ``delay`` seconds, unless it changes again before."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.pending[uri] = asyncio.ensure_future(self._diagnose(uri, delay))

    async def _diagnose(self, uri: str, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            view, checked = await self.checked_view(self.snapshot(uri))
            if self.workspace.get_text_document(uri).version == view.version:
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
                    uri, checked.diagnostics, version=view.version))
        except asyncio.CancelledError:
            raise
        except Exception:  # a long-running server logs what it cannot do and goes on
            self.log(f"cannot check {uri}:\n{traceback.format_exc()}")
        if self.pending.get(uri) is asyncio.current_task():
            del self.pending[uri]

    async def reload_retrained(self) -> None:
        """Once the model is retrained, load it and check every open document again."""
        while True:
            await asyncio.sleep(RELOAD_INTERVAL)
            try:
                if not await self.on_model(self.blog.refresh):
                    continue
            except Exception:
                self.log(f"cannot reload the model:\n{traceback.format_exc()}")
                continue
            self.read_again()

    def read_again(self) -> None:
        """Read and check every open document again (a new model or new settings)."""
        self.views.clear()
        self.checked.clear()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    def forget(self, uri: str) -> None:
        for known in (self.views, self.checked):
            known.pop(uri, None)
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()


def _at(work: Callable, position: types.Position) -> Callable:
    """``work(view, offset)`` as a function of the view, at ``position`` of its text."""
    return lambda view: work(view, view.positions.offset(position))


def _keep_recent(known: OrderedDict, uri: str) -> None:
    known.move_to_end(uri)
    while len(known) > KEPT_VIEWS:
        known.popitem(last=False)


def create_server() -> Server:
    """A server with every feature registered."""
    ls = Server()
    _register_notifications(ls)
    _register_requests(ls)
    return ls


def _register_notifications(ls: Server) -> None:
    @ls.feature(types.INITIALIZE)
    def initialize(ls: Server, params: types.InitializeParams) -> None:
        ls.root = to_fs_path(params.root_uri) if params.root_uri else params.root_path
        ls.blog.settings = Settings.read(params.initialization_options, ls.root)

    @ls.feature(types.INITIALIZED)
    def initialized(ls: Server, params: types.InitializedParams) -> None:
        # The model loads while the editor opens its first document, not at its first request.
        asyncio.ensure_future(ls.on_model(ls.blog.model))
        ls.watcher = asyncio.ensure_future(ls.reload_retrained())

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def configuration(ls: Server, params: types.DidChangeConfigurationParams) -> None:
        settings = Settings.read(params.settings, ls.root)
        if settings != ls.blog.settings and settings != Settings():
            ls.blog.settings = settings
            ls.read_again()

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Server, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Server, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE)

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Server, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(params.text_document.uri, []))


def _register_requests(ls: Server) -> None:
    # Requests are generators: pygls runs them up to their `yield` as each message
    # arrives, so the document is taken as it was when the request came, not after
    # changes that followed it.
    @ls.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=TRIGGERS, resolve_provider=True))
    def completion(ls: Server, params: types.CompletionParams):
        snapshot = ls.snapshot(params.text_document.uri)
        return (yield from ls.run(ls.answer, snapshot, _at(complete, params.position)))

    @ls.feature(types.COMPLETION_ITEM_RESOLVE)
    def completion_resolve(ls: Server, item: types.CompletionItem):
        uri = item.data.get("uri") if isinstance(item.data, dict) else None
        if uri is None or uri not in ls.workspace.text_documents:
            return item
        return (yield from ls.run(ls.answer, ls.snapshot(uri), resolve, item))

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: Server, params: types.HoverParams):
        snapshot = ls.snapshot(params.text_document.uri)
        return (yield from ls.run(ls.answer, snapshot, _at(hover, params.position)))

    @ls.feature(types.TEXT_DOCUMENT_CODE_ACTION,
                types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def actions(ls: Server, params: types.CodeActionParams):
        snapshot = ls.snapshot(params.text_document.uri)
        return (yield from ls.run(ls.fixes, snapshot, params.range))


class _DropStale(logging.Filter):
    """pygls logs every error answer with its trace; a stale request's is no error."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, JsonRpcContentModified)


def serve(tcp_port: int | None = None) -> None:
    """Serve one editor over standard input and output, or on ``tcp_port`` of localhost."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_DropStale())
    ls = create_server()
    if tcp_port is None:
        ls.start_io()
    else:
        ls.start_tcp("127.0.0.1", tcp_port)
