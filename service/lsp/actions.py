"""Quick fixes: each safe fix of `check --fix` as the same edit (only its label's text
changes), and filling in the suggested tags of a post that has none. Nothing is written:
the edits go to the editor, tied to the document's version."""

from __future__ import annotations

from lsprotocol import types

from bunrui.classifier import FixError, PostError, parse_post
from bunrui.classifier.check.fixes import fixed_text
from bunrui.classifier.corpus.frontmatter import REWRITTEN, locate_front_matter, render

from .diagnostics import Checked
from .documents import View

FILL_TAGS = "Fill in suggested tags"


def code_actions(view: View, checked: Checked, wanted: types.Range) -> list[types.CodeAction]:
    """The fixes of the findings whose range meets ``wanted``, and the tags to fill in."""
    out = []
    for finding, diagnostic in checked.findings:
        if finding.fix is None or not finding.fix.safe or not _meets(diagnostic.range, wanted):
            continue
        try:
            new_text, _ = fixed_text(view.text, [finding])
        except FixError:
            continue  # as `check --fix`, a fix that cannot be made with certainty is not made
        out.append(types.CodeAction(
            title=finding.fix.description[0].upper() + finding.fix.description[1:],
            kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], is_preferred=True,
            edit=_edit(view, new_text)))
    filled = _filled_tags(view)
    if filled is not None:
        out.append(types.CodeAction(title=FILL_TAGS, kind=types.CodeActionKind.QuickFix,
                                    edit=_edit(view, filled)))
    return out


def _meets(a: types.Range, b: types.Range) -> bool:
    def at(p: types.Position) -> tuple[int, int]:
        return p.line, p.character

    return at(a.start) <= at(b.end) and at(b.start) <= at(a.end)


def _edit(view: View, new_text: str) -> types.WorkspaceEdit:
    """The change from the document's text to ``new_text`` as one edit of the part between
    what they share at both ends (a CRLF is never split)."""
    old = view.text
    start = 0
    limit = min(len(old), len(new_text))
    while start < limit and old[start] == new_text[start]:
        start += 1
    end = 0
    while end < limit - start and old[-1 - end] == new_text[-1 - end]:
        end += 1
    if 0 < start < len(old) and old[start - 1] == "\r" and old[start] == "\n":
        start -= 1
    if 0 < end < len(old) and old[-end] == "\n" and old[-end - 1] == "\r":
        end -= 1
    edit = types.TextEdit(view.positions.range(start, len(old) - end),
                          new_text[start : len(new_text) - end])
    document = types.OptionalVersionedTextDocumentIdentifier(view.uri, view.version)
    return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(document, [edit])])


def _filled_tags(view: View) -> str | None:
    """The text with a post's empty or missing `tags` set to the suggested ones (its
    categories, on a blog whose categories are its tags); None when it has them, there
    is no suggestion, or the result would not read back so."""
    post, suggestion = view.post, view.suggestion
    field = "categories" if view.taxonomy.categories_as_tags else "tags"
    if post is None or post.tags or getattr(post, field) or suggestion is None or (
            not suggestion.tags):
        return None
    source = locate_front_matter(view.text)
    if source is None or source.format not in REWRITTEN:
        return None
    labels = [s.label for s in suggestion.tags]
    values = ", ".join(render(t, "plain", source.format, flow=True) for t in labels)
    key = post.label_key(field)  # Zenn's `topics: []` is filled as it is
    line = f"{key}: [{values}]" if source.format == "yaml" else f"{key} = [{values}]"
    text = view.text
    if key in post.field_lines:  # `tags:` or `tags: []`: the line is replaced
        start, end = view.positions.line_span(post.field_lines[key] - 1)
    else:  # a new line at the end of the front matter
        newline = "\r\n" if "\r\n" in text else "\n"
        start = end = source.end
        line += newline
        if source.end > source.start and text[source.end - 1] not in "\r\n":
            line = newline + line
    filled = text[:start] + line + text[end:]
    try:
        if list(getattr(parse_post(filled, view.path), field)) != labels:
            return None
    except PostError:
        return None
    return filled
