"""The language server's reading of a document: LSP positions and the label being typed."""

from __future__ import annotations

import pytest
from lsprotocol.types import Position

from bunrui.service.lsp.labels import slot_at
from bunrui.service.lsp.positions import Positions

TEXT = "\ufeffa😀b\r\nい\rう\n\u2028x"


@pytest.mark.parametrize("offset, line, character", [
    (0, 0, 0), (1, 0, 1), (2, 0, 2), (3, 0, 4), (4, 0, 5),  # BOM, a, 😀 (two units), b
    (6, 1, 0), (7, 1, 1), (8, 2, 0), (10, 3, 0), (11, 3, 1), (12, 3, 2),  # U+2028: no break
])
def test_positions_count_utf16_units_on_lsp_lines(offset, line, character):
    positions = Positions(TEXT)
    assert positions.position(offset) == Position(line, character)
    assert positions.offset(Position(line, character)) == offset


def test_positions_past_a_line_or_inside_a_character():
    positions = Positions(TEXT)
    assert positions.offset(Position(0, 99)) == 4  # the line's end, before \r\n
    assert positions.offset(Position(0, 3)) == 3  # half of 😀: after it
    assert positions.offset(Position(9, 0)) == len(TEXT)
    assert Positions("a\u00e9", len).position(2) == Position(0, 2)  # UTF-32 clients


def slot(text: str):
    offset = text.index("|")
    text = text.replace("|", "")
    found = slot_at(text, offset, Positions(text))
    return found and (found.key, text[found.start : found.end], found.typed, found.style,
                      found.flow, found.space)


@pytest.mark.parametrize("text, expected", [
    ("---\ntags: [a, Py|]\n---\n", ("tags", "Py", "Py", "plain", True, False)),
    ("---\ntags: [a, 'Py|'  ]\n---\n", ("tags", "'Py'", "Py", "single", True, False)),
    ("---\ntags: [Visual Stu|dio, b]\n---\n",
     ("tags", "Visual Studio", "Visual Stu", "plain", True, False)),
    ("---\ntags:\n- a\n-  \"テ|\n---\n", ("tags", '"テ', "テ", "double", False, False)),
    ("---\ncategory:|\n---\n", ("category", "", "", "plain", False, True)),
    ("---\ncategory: プロ|\n---\n", ("category", "プロ", "プロ", "plain", False, False)),
    ('+++\ntags = [\n  "a",\n  "b|",\n]\n+++\n', ("tags", '"b"', "b", "double", True, False)),
    ("---\ntitle: a|\ntags: []\n---\n", None),
    ("---\nta|gs: []\n---\n", None),
    ("---\ntags: [a]\nlayout: p|\n---\n", None),
    ("---\ntags: [a]\n---\nbody |\n", None),
    ("tags: [|]\n", None),
])
def test_the_label_being_typed(text, expected):
    assert slot(text) == expected
