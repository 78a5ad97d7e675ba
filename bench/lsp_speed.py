"""Speed and memory of `bunrui lsp` (issue 14's figures), with a real client over stdio.

    python bench/lsp_speed.py [--completions 1000]

On the posts of ../shared/corpus/allforces nearest the median length, with the default
model (the bundled one, found as the server finds it) and the taxonomy found from the
posts' folder. An editor is played: a post is opened with its tags taken out, then its
tags are typed back one key at a time (a change, then a completion request, as editors
send them), then the next post. Measured:

- start-up: from starting `bunrui lsp` to the answer of the first completion, fresh
  processes;
- completion latency after the first (warm) request: each post is opened and its
  diagnostics awaited (an editor shows a file before one types in it), then ``KEYS``
  keystrokes each followed by a completion request; ``--posts`` posts in turn;
- completion asked at once after opening a post the model has not read;
- diagnostics: from a change to its publishDiagnostics, less the debounce;
- the server's resident memory after 100 and after all completions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pytest_lsp import client_capabilities, make_test_lsp_client

from bunrui.classifier import load_corpus
from bunrui.service.lsp.server import DEBOUNCE

ROOT = Path(__file__).resolve().parents[1]
POSTS = ROOT.parent / "shared" / "corpus" / "allforces" / "_posts"
SERVER = [sys.executable, "-m", "bunrui.service", "lsp"]
KEYS = 20  # keystrokes typed in each post's tags before the next post
_TAGS = re.compile(r"^tags:.*$", re.M)


def median_posts(n: int) -> list[tuple[str, str, list[str]]]:
    """(uri, text, tags) of the ``n`` posts nearest the median body length."""
    posts = sorted(load_corpus([POSTS]).posts, key=lambda p: len(p.body))
    middle = len(posts) // 2
    chosen = posts[max(0, middle - n // 2) : middle + (n + 1) // 2]
    return [(Path(p.path).resolve().as_uri(), Path(p.path).read_text(encoding="utf-8"),
             list(p.tags)) for p in chosen]


def rss_mb(pid: int) -> tuple[float, float, float]:
    """Resident memory in MB: (all, anonymous, file-backed: the mapped MeCab dictionary
    and libraries, whose pages come in as new words are met)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        kb = {line.split(":")[0]: int(line.split()[1]) for line in status
              if line.startswith(("VmRSS:", "RssAnon:", "RssFile:"))}
    return kb["VmRSS"] / 1024, kb["RssAnon"] / 1024, kb["RssFile"] / 1024


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


class Editor:
    """A client playing an editor: one document per post, typed into."""

    def __init__(self) -> None:
        self.client = make_test_lsp_client()
        self.versions: dict[str, int] = {}

    async def start(self) -> None:
        await self.client.start_io(*SERVER)
        await self.client.initialize_session(types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            root_uri=POSTS.parent.as_uri()))

    @property
    def pid(self) -> int:
        return self.client._server.pid

    def send(self, uri: str, text: str) -> None:
        self.client.diagnostics.pop(uri, None)
        if uri not in self.versions:
            self.versions[uri] = 1
            self.client.text_document_did_open(types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri, "markdown", 1, text)))
            return
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=self.versions[uri], uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text)]))

    async def complete_typed(self, uri: str, text: str, typed: str) -> tuple[float, int]:
        """Type ``typed`` as the tags of ``text``; (milliseconds to answer, items)."""
        line = f"tags: [{typed}]"
        new = _TAGS.sub(line, text, count=1)
        self.send(uri, new)
        row = new[: _TAGS.search(new).start()].count("\n")
        start = time.perf_counter()
        result = await self.client.text_document_completion_async(types.CompletionParams(
            types.TextDocumentIdentifier(uri),
            types.Position(row, len(f"tags: [{typed}".encode("utf-16-le")) // 2)))
        return (time.perf_counter() - start) * 1000, len(result.items) if result else 0

    async def diagnosed(self, uri: str, text: str) -> float:
        """Milliseconds from a change to its diagnostics, the debounce left out (a document
        opened is checked at once)."""
        opened = uri not in self.versions
        start = time.perf_counter()
        self.send(uri, text)
        while uri not in self.client.diagnostics:
            await asyncio.sleep(0.002)
        return (time.perf_counter() - start - (0 if opened else DEBOUNCE)) * 1000

    async def stop(self) -> None:
        await self.client.shutdown_session()
        await self.client.stop()


def keystrokes(tags: list[str]) -> list[str]:
    typed = ", ".join(tags)
    return [typed[:i] for i in range(1, min(len(typed), KEYS) + 1)]


async def startup(post) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) from starting the server to its first completion."""
    uri, text, tags = post
    start = time.perf_counter()
    editor = Editor()
    await editor.start()
    _, items = await editor.complete_typed(uri, text, "")
    elapsed, cpu = time.perf_counter() - start, cpu_seconds(editor.pid)
    await editor.stop()
    assert items, "no completion items"
    return elapsed, cpu


async def typing(editor: Editor, posts, completions: int) -> tuple[list[float], float]:
    """Each post opened and checked (as an editor shows it), then its tags typed back;
    (completion latencies, RSS in MB by completions done)."""
    times, rss = [], {}
    while True:
        for uri, text, tags in posts:
            await editor.diagnosed(uri, _TAGS.sub("tags: []", text, 1))
            for typed in keystrokes(tags):
                times.append((await editor.complete_typed(uri, text, typed))[0])
                if len(times) in (100, 250, 500, 750) or len(times) % 1000 == 0:
                    rss[len(times)] = rss_mb(editor.pid)
                if len(times) >= completions:
                    return times, rss


async def session(posts, completions: int, typed_posts: int) -> None:
    editor = Editor()
    await editor.start()
    uri, text, _ = posts[0]
    await editor.complete_typed(uri, text, "")  # the first (warm-up) request
    times, rss = await typing(editor, posts[1 : typed_posts + 1], completions)
    print(f"completion, warm, {len(times)} keystrokes in the tags of {typed_posts} posts in "
          f"turn: median {statistics.median(times):.1f} ms, p95 "
          f"{percentile(times, 0.95):.1f} ms, max {max(times):.1f} ms")
    print("memory (RSS; anonymous + file-backed) of the server after N completions: "
          + ", ".join(f"{n}: {mb:.0f} MB ({anon:.0f} + {mapped:.0f})"
                      for n, (mb, anon, mapped) in sorted(rss.items())))
    # A post the model has not read yet: completion asked right after it is opened.
    cold = [(await editor.complete_typed(uri, text, ""))[0]
            for uri, text, _ in posts[typed_posts + 1 :]]
    print(f"completion right after opening a post not read before, {len(cold)} posts: "
          f"median {statistics.median(cold):.1f} ms, p95 {percentile(cold, 0.95):.1f} ms")
    waits = []
    for i, (uri, text, tags) in enumerate(posts[1:21]):
        # Half the changes only edit the tags, half add a line to the body.
        new = text + ("\n追記。\n" if i % 2 else "")
        waits.append(await editor.diagnosed(uri, _TAGS.sub(f"tags: {tags[:1]}", new, 1)))
    print(f"diagnostics after the {DEBOUNCE * 1000:.0f} ms debounce, {len(waits)} changes "
          f"(half of them to the body): median {statistics.median(waits):.1f} ms, p95 "
          f"{percentile(waits, 0.95):.1f} ms, max {max(waits):.1f} ms")
    await editor.stop()


async def run(completions: int, starts: int, typed_posts: int) -> None:
    posts = median_posts(typed_posts + 21)
    lengths = sorted(len(text) for _, text, _ in posts)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; "
          f"{len(posts)} posts of {lengths[0]:,}-{lengths[-1]:,} characters")
    firsts = [await startup(posts[i]) for i in range(starts)]
    print(f"start-up to the first completion, {starts} fresh servers: "
          f"{', '.join(f'{wall:.2f} s ({cpu:.2f} s of CPU)' for wall, cpu in firsts)}")
    await session(posts, completions, typed_posts)
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--completions", type=int, default=1000)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--posts", type=int, default=40, help="posts typed into, in turn")
    args = parser.parse_args(argv)
    asyncio.run(run(args.completions, args.starts, args.posts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
