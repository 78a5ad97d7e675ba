"""`bunrui lsp` end to end: a real client (pytest-lsp) talking to the server over stdio."""

from __future__ import annotations

import asyncio
import shutil
import sys
from dataclasses import replace
from types import SimpleNamespace

import pytest
import pytest_lsp
from conftest import DRAFTS, FIXTURES, JEKYLL, write
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from bunrui.classifier import (
    Suggester,
    TrainingConfig,
    load_corpus,
    load_model,
    parse_post,
    resolve_taxonomy,
    save_model,
)
from bunrui.classifier.check import ModelScores
from bunrui.classifier.conform import conform
from bunrui.classifier.model.suggest import Scored, Suggestion
from bunrui.classifier.taxonomy import Taxonomy
from bunrui.service.cli import main
from bunrui.service.lsp.actions import _filled_tags
from bunrui.service.lsp.blog import Reading
from bunrui.service.lsp.completion import complete as complete_at
from bunrui.service.lsp.documents import View
from bunrui.service.lsp.positions import Positions

pytestmark = pytest.mark.asyncio(loop_scope="module")

SITE = FIXTURES / "check" / "site"
BODY = (DRAFTS / "python-draft.md").read_text(encoding="utf-8").split("---\n", 2)[2]
TITLE = "pytestのパラメータ化でテストをまとめる"
CURSOR = "|"  # where the cursor is in a test's text; taken out before the text is sent


@pytest.fixture(scope="module")
def blog(tmp_path_factory):
    """A site with the check fixtures' taxonomy, and a model of the Jekyll fixture blog."""
    root = tmp_path_factory.mktemp("lsp")
    site = root / "site"
    (site / "_posts").mkdir(parents=True)
    shutil.copy(SITE / "bunrui.toml", site / "bunrui.toml")
    suggester = Suggester().fit(load_corpus([JEKYLL]).posts)
    save_model(suggester, str(root / "model"), suggester.report_.card(TrainingConfig()))
    return site, root / "model"


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "bunrui.service", "lsp"]))
async def client(lsp_client: LanguageClient, blog):
    site, model = blog
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=site.as_uri(),
        initialization_options={"bunrui": {"model": str(model)}}))
    yield
    await lsp_client.shutdown_session()


_versions: dict[str, int] = {}


def send(client: LanguageClient, path, text: str) -> tuple[str, types.Position | None]:
    """Open (or change) the document at ``path`` to ``text``; the cursor's position."""
    position = None
    if CURSOR in text:
        head = text[: text.index(CURSOR)]
        line = head.count("\n")
        column = head[head.rfind("\n") + 1 :]
        position = types.Position(line, len(column.encode("utf-16-le")) // 2)
        text = text.replace(CURSOR, "", 1)
    uri = path.as_uri()
    client.diagnostics.pop(uri, None)
    if uri not in _versions:
        _versions[uri] = 1
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "markdown", 1, text)))
    else:
        _versions[uri] += 1
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=_versions[uri], uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text)]))
    return uri, position


async def diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The diagnostics published for the document's last version."""
    for _ in range(400):
        if uri in client.diagnostics:
            return list(client.diagnostics[uri])
        await asyncio.sleep(0.05)
    raise AssertionError(f"no diagnostics for {uri}")


async def complete(client: LanguageClient, uri: str, position) -> list[types.CompletionItem]:
    result = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), position))
    return [] if result is None else result.items


def offset(text: str, position: types.Position) -> int:
    """The str index of an LSP position (UTF-16 columns; \\r\\n, \\r and \\n end lines)."""
    starts = [0] + [i + 1 for i, c in enumerate(text)
                    if c == "\n" or (c == "\r" and text[i + 1 : i + 2] != "\n")]
    start = starts[position.line]
    units = 0
    while units < position.character:
        units += len(text[start].encode("utf-16-le")) // 2
        start += 1
    return start


def apply(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        text = (text[: offset(text, edit.range.start)] + edit.new_text
                + text[offset(text, edit.range.end) :])
    return text


def draft(tags: str, categories: str = "[プログラミング]") -> str:
    return f'---\ntitle: "{TITLE}"\ncategories: {categories}\ntags: {tags}\n---\n{BODY}'


def expected_tags(blog, text: str) -> list[str]:
    """What `bunrui suggest` suggests for ``text`` in the site's taxonomy."""
    site, model = blog
    suggester, card = load_model(str(model))
    suggestion = suggester.suggest_text(text)
    taxonomy = resolve_taxonomy(None, start=str(site / "_posts"), card=card)
    return [s.label for s in conform(suggestion, taxonomy).tags]


async def test_completion_in_tags_gives_the_suggestion_best_first_then_the_vocabulary(
        client, blog):
    site, _ = blog
    text = draft("[|]")
    uri, position = send(client, site / "_posts" / "draft.md", text)
    items = await complete(client, uri, position)
    labels = [i.label for i in items]
    expected = expected_tags(blog, text.replace(CURSOR, ""))
    assert expected and labels[: len(expected)] == expected
    assert all(i.detail.endswith("suggested") for i in items[: len(expected)])
    assert "words of the draft behind it" in items[0].documentation.value
    last, documentation = items[-1], items[-1].documentation
    last.documentation = None  # as items past the first 20 come: the editor resolves them
    resolved = await client.completion_item_resolve_async(last)
    assert resolved.documentation == documentation and "similar posts" in documentation.value
    # The vocabulary follows: every canonical tag, never a disallowed tag or an alias.
    canonical = {"和食", "時短レシピ", "京都", "一人旅", "温泉", "北海道", "パスタ", "お菓子",
                 "Python", "テスト", "JavaScript", "データベース"}
    assert set(labels) == canonical
    assert [i.sort_text for i in items] == sorted(i.sort_text for i in items)


async def test_completion_in_keys_written_in_another_case_or_named_otherwise(client, blog):
    # `Tags:` (front matter converted from another tool) and Zenn's `topics:`, as posts
    # are read; the label present is skipped there too.
    site, _ = blog
    for key in ("Tags", "topics"):
        text = draft("[テスト, ｐｙ|]").replace("tags:", f"{key}:")
        uri, position = send(client, site / "_posts" / f"{key}.md", text)
        assert [i.label for i in await complete(client, uri, position)] == ["Python"]


async def test_completion_folds_width_and_case_and_skips_labels_present(client, blog):
    site, _ = blog
    uri, position = send(client, site / "_posts" / "draft.md", draft("[テスト, ｐｙ|]"))
    items = await complete(client, uri, position)
    assert [i.label for i in items] == ["Python"]
    edit = items[0].text_edit
    assert (edit.range.start.character, edit.range.end.character) == (12, 14)
    assert edit.new_text == "Python"
    uri, position = send(client, site / "_posts" / "draft.md", draft("[テスト, |]"))
    assert "テスト" not in [i.label for i in await complete(client, uri, position)]


async def test_completion_in_a_block_list_keeps_the_quotes(client, blog):
    site, _ = blog
    text = draft('\n  - テスト\n  - "py|"')
    uri, position = send(client, site / "_posts" / "block.md", text)
    items = await complete(client, uri, position)
    assert [i.label for i in items] == ["Python"]
    assert apply(text.replace(CURSOR, ""), [items[0].text_edit]) == draft(
        '\n  - テスト\n  - "Python"')


async def test_completion_in_toml_front_matter(client, blog):
    site, _ = blog
    text = f'+++\ntitle = "{TITLE}"\ncategories = [|]\ntags = ["テスト"]\n+++\n{BODY}'
    uri, position = send(client, site / "_posts" / "hugo.md", text)
    items = await complete(client, uri, position)
    assert items[0].label == "プログラミング" and items[0].detail.endswith("suggested")
    assert items[0].text_edit.new_text == '"プログラミング"'
    assert {i.label for i in items} == {"料理", "旅行", "プログラミング"}


async def test_no_completion_outside_label_fields(client, blog):
    site, _ = blog
    uri, position = send(client, site / "_posts" / "draft.md",
                         draft("[]").replace("title: ", "title: |"))
    assert await complete(client, uri, position) == []


RETIRED = ('---\r\ntitle: "🍳鶏むね肉のしっとり煮"\r\ncategories: [レシピ]\r\n'
           'tags: ["🍝和食", 時短]\r\n---\r\n\r\n'
           '鶏むね肉を沸騰した湯に入れ、余熱で火を通します。\r\n')


async def test_diagnostics_on_the_exact_labels_and_a_byte_exact_fix(client, blog):
    site, _ = blog
    path = write(site / "_posts" / "retired.md", "")
    path.write_bytes(RETIRED.encode("utf-8"))
    uri, _ = send(client, path, RETIRED)
    found = {d.code: d for d in await diagnostics(client, uri)}
    retired, alias = found["category-deprecated"], found["tag-alias"]
    assert retired.severity == types.DiagnosticSeverity.Error
    assert alias.severity == types.DiagnosticSeverity.Warning
    assert found["tag-unknown"].severity == types.DiagnosticSeverity.Warning
    # UTF-16 columns: the emoji before 時短 counts two.
    assert (retired.range.start.line, retired.range.start.character,
            retired.range.end.character) == (2, 13, 16)
    assert (alias.range.start.line, alias.range.start.character,
            alias.range.end.character) == (3, 15, 17)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), retired.range,
        types.CodeActionContext([retired])))
    fix = next(a for a in actions if a.diagnostics and a.diagnostics[0].code == retired.code)
    assert fix.title == "Replace the category 'レシピ' with '料理'"
    change = fix.edit.document_changes[0]
    assert change.text_document.version == _versions[uri]
    assert main(["check", "--no-model", "--fix", "--rules", "category-deprecated",
                 str(path)]) == 0
    assert apply(RETIRED, change.edits).encode("utf-8") == path.read_bytes()
    assert path.read_bytes() != RETIRED.encode("utf-8")


async def filled_tags(client, path, text: str) -> str:
    """``text`` as the "Fill in suggested tags" action leaves it."""
    uri, _ = send(client, path, text)
    await diagnostics(client, uri)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), types.Range(types.Position(0, 0),
                                                        types.Position(0, 0)),
        types.CodeActionContext([])))
    fill = next(a for a in actions if a.title == "Fill in suggested tags")
    return apply(text, fill.edit.document_changes[0].edits)


async def test_fill_in_suggested_tags_when_the_post_has_none(client, blog):
    site, _ = blog
    text = draft("[]").replace("tags: []\n", "")
    filled = await filled_tags(client, site / "_posts" / "untagged.md", text)
    assert list(parse_post(filled).tags) == expected_tags(blog, text)
    assert filled.replace(filled.split("\n")[3] + "\n", "", 1) == text  # only a line added


async def test_fill_in_suggested_tags_fills_the_key_the_post_uses(client, blog):
    site, _ = blog
    text = draft("[]").replace("tags: []", "topics: []")  # Zenn's name for tags
    post = parse_post(await filled_tags(client, site / "_posts" / "zenn.md", text))
    assert post.label_key("tags") == "topics" and "tags" not in post.front_matter
    assert list(post.tags) == expected_tags(blog, text)


async def test_hover_on_labels(client, blog):
    site, _ = blog
    text = draft("[Python, 時短]", "[プログラミ|ング]")
    uri, position = send(client, site / "_posts" / "hover.md", text)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), position))
    value = hover.contents.value
    assert value.startswith("**プログラミング** (category)")
    assert "score for this draft: " in value and "(suggested)" in value
    assert "words of the draft behind it:" in value
    card = load_model(str(blog[1]))[1]
    assert (f"used by {card.labels['categories']['プログラミング']} of the "
            f"{card.training.posts} posts the model learned from") in value
    line = text.split("\n")[3]
    position = types.Position(3, line.index("時短") + 1)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), position))
    assert "taxonomy: an alias of **時短レシピ**" in hover.contents.value
    assert (hover.range.start.character, hover.range.end.character) == (15, 17)


async def refused(client: LanguageClient, site, name: str, then) -> int | None:
    """The error code of a completion request sent for a post the model has not read (so
    the server is busy with it), ``then(uri, msg_id)`` done at once after it; None if every
    attempt was answered (a server that answers before ``then`` arrives refuses nothing)."""
    # Whether the change overtakes the answer is still a race: it wins at once nearly
    # always; with a 6,000-character body it lost 10 tries in a row once, on a fast run.
    for attempt in range(40):
        path = site / "_posts" / f"{name}-{attempt}.md"
        # A long body (200,000 characters, as a long post), new on each attempt: the server
        # reads it through for tens of milliseconds, in Python, which lets the change in.
        body = "".join(f"鴨川沿いを{attempt}回歩き、{k}番目の橋を渡った。" for k in range(10000))
        uri, position = send(client, path, draft("[|]") + f"\n{body}\n")
        # pygls' own send writes at once, so the request is on the wire before ``then``.
        answer = client.protocol.send_request(
            types.TEXT_DOCUMENT_COMPLETION,
            types.CompletionParams(types.TextDocumentIdentifier(uri), position),
            msg_id=f"{name}-{attempt}")
        then(path, f"{name}-{attempt}")
        try:
            await asyncio.wrap_future(answer)
        except JsonRpcException as exc:
            return exc.code
    return None


async def test_an_answer_for_a_version_the_editor_has_left_is_dropped(client, blog):
    site, _ = blog
    code = await refused(client, site, "stale",
                         lambda path, _: send(client, path, draft("[Python, |]")))
    assert code == types.LSPErrorCodes.ContentModified
    uri, position = send(client, site / "_posts" / "stale-0.md", draft("[Python, |]"))
    assert "Python" not in [i.label for i in await complete(client, uri, position)]


async def test_a_cancelled_request_is_answered_as_cancelled(client, blog):
    site, _ = blog
    code = await refused(client, site, "cancel", lambda _, msg_id: client.protocol.notify(
        types.CANCEL_REQUEST, types.CancelParams(id=msg_id)))
    assert code == types.LSPErrorCodes.RequestCancelled


@pytest.mark.parametrize("text, code", [
    ("---\ntitle: [unclosed\ntags: [a]\n---\n本文\n", "front-matter-invalid"),
    ("---\ntitle: a\n", "front-matter-invalid"),  # never closed
    ("---\ntitle: a\n---\n\0\0\0binary", "front-matter-invalid"),
    ("---\ntitle: a\n---\n" + "a" * (10 * 1024 * 1024 + 1), "front-matter-invalid"),
])
async def test_a_broken_document_gets_a_diagnostic_and_the_server_goes_on(
        client, blog, text, code):
    site, _ = blog
    uri, _ = send(client, site / "_posts" / "broken.md", text)
    assert code in {d.code for d in await diagnostics(client, uri)}
    uri, position = send(client, site / "_posts" / "draft.md", draft("[テスト, ｐｙ|]"))
    assert [i.label for i in await complete(client, uri, position)] == ["Python"]


async def test_a_missing_model_leaves_the_taxonomy_rules(client, blog, tmp_path):
    site, model = blog
    configure(client, tmp_path / "no-model")
    try:
        path = site / "_posts" / "missing-model.md"
        uri, position = send(client, path, draft("[|]", "[レシピ]"))
        assert "category-deprecated" in {d.code for d in await diagnostics(client, uri)}
        labels = [i.label for i in await complete(client, uri, position)]
        assert "Python" in labels  # the taxonomy's vocabulary, in name order
    finally:
        configure(client, model)


def configure(client: LanguageClient, model) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        {"bunrui": {"model": str(model)}}))


async def test_a_retrained_model_is_loaded(client, blog, tmp_path):
    site, model = blog
    copy = tmp_path / "model"
    shutil.copytree(model, copy)
    configure(client, copy)
    try:
        uri, position = send(client, site / "_posts" / "draft.md", draft("[|]"))
        before = [i for i in await complete(client, uri, position)
                  if i.detail.endswith("suggested")]
        suggester, card = load_model(str(copy))
        suggester.max_tags_ = 1
        save_model(suggester, str(copy), card)  # dated anew: a new card
        for _ in range(100):  # the server looks at the folder every second
            await asyncio.sleep(0.1)
            after = [i for i in await complete(client, uri, position)
                     if i.detail.endswith("suggested")]
            if len(after) == 1:
                break
        assert len(before) > 1 and len(after) == 1
    finally:
        configure(client, model)


@pytest.mark.parametrize(("as_tags", "text", "key"), [
    (False, "---\ntitle: 題\n---\n本文\n", "tags"),
    # A blog whose categories are its tags: a draft without them gets them filled there.
    (True, "---\ntitle: 題\nCategory: []\n---\n本文\n", "Category"),
])
async def test_suggested_tags_are_filled_where_the_blog_keeps_them(as_tags, text, key):
    tags = [Scored("温泉", 0.8), Scored("京都", 0.6)]
    reading = Reading(None, Suggestion(None, [], tags, tags), None, None)
    view = View("file:///d.md", 1, "d.md", text, Positions(text), parse_post(text, "d.md"),
                None, Taxonomy(categories_as_tags=as_tags), None, reading)
    filled = _filled_tags(view)
    assert f"{key}: [温泉, 京都]\n" in filled
    post = parse_post(filled, "d.md")
    assert (post.categories if as_tags else post.tags) == ("温泉", "京都")
    # A draft that has them already is left as it is.
    view.post = post
    assert _filled_tags(view) is None


async def test_categories_are_completed_as_tags_where_they_are_the_blogs_tags():
    # Hatena: the `Category:` list is the blog's tags; completion offers the suggested
    # tags first, then every tag the model knows (not only the first categories).
    text = "---\nTitle: 題\nCategory: [温泉, ]\n---\n本文\n"
    tags = [Scored("京都", 0.7), Scored("温泉", 0.6)]
    scores = ModelScores({"旅行": 0.9}, {"京都": 0.7, "温泉": 0.6, "一人旅": 0.2})
    # The model as the items' documentation reads it: its tags, no words behind them.
    model = SimpleNamespace(tag_labels_=["京都", "温泉", "一人旅"], terms=lambda *_: [])
    reading = Reading(scores, Suggestion(Scored("旅行", 0.9), [Scored("旅行", 0.9)], tags,
                                         tags), None, model)

    def labels(as_tags: bool) -> list[str]:
        taxonomy = Taxonomy(categories=("旅行",), known_tags=("京都", "温泉", "一人旅"),
                            categories_as_tags=as_tags)
        view = View("file:///d.md", 1, "d.md", text, Positions(text), parse_post(text, "d.md"),
                    None, taxonomy, None, reading)
        items = complete_at(view, text.index(", ]") + 2).items
        return [(i.label, i.data["kind"]) for i in items]

    assert labels(True) == [("京都", "tags"), ("一人旅", "tags")]  # 温泉 is there already
    assert labels(False) == [("旅行", "categories")]


@pytest.mark.parametrize(("text", "completed"), [
    ('{\n  "title": "題",\n  "tags": [\n    ""\n  ]\n}\n本文\n', False),  # Hugo's JSON
    ("Title: 題\nTags: \n\n本文\n", True),  # Pelican's metadata lines
])
async def test_front_matter_that_is_not_rewritten_is_not_filled(text, completed):
    # Their labels are not located, so suggested tags are not filled in; Pelican's `Tags:`
    # line is completed as it is typed, JSON's is not; nothing fails.
    tags = [Scored("温泉", 0.8)]
    model = SimpleNamespace(tag_labels_=["温泉"], terms=lambda *_: [])
    reading = Reading(ModelScores({}, {"温泉": 0.8}), Suggestion(None, [], tags, tags), None,
                      model)
    post = parse_post(text, "d.md")
    assert post.field_lines["tags" if "{" in text else "Tags"] in (2, 3)
    view = View("file:///d.md", 1, "d.md", text, Positions(text), replace(post, tags=()),
                None, Taxonomy(), None, reading)
    assert _filled_tags(view) is None
    at = text.index('""') + 1 if "{" in text else text.index("Tags: ") + 6
    items = complete_at(view, at)
    assert (items is not None and [i.label for i in items.items] == ["温泉"]) is completed
