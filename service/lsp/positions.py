"""Offsets into a document's text and LSP positions.

A position counts code units of the encoding agreed with the client (UTF-16 unless it
chose another) on lines ended only by \\n, \\r\\n or \\r: unlike ``str.splitlines``, which
also breaks at U+2028, form feeds and the like, so lines are found here, not by pygls.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from lsprotocol import types

_NEWLINE = re.compile(r"\r\n|\r|\n")


def utf16_units(text: str) -> int:
    """How many UTF-16 code units ``text`` is (lone surrogates count one each)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Positions:
    """Converts between offsets in ``text`` and positions; ``units`` counts a string's code
    units in the client's encoding."""

    def __init__(self, text: str, units: Callable[[str], int] = utf16_units) -> None:
        self.text = text
        self.units = units
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def line_span(self, line: int) -> tuple[int, int]:
        """(start, end) of line ``line`` (0-based), its line ending left out."""
        line = min(max(line, 0), len(self.starts) - 1)
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        while end > start and self.text[end - 1] in "\r\n":
            end -= 1
        return start, end

    def position(self, offset: int) -> types.Position:
        offset = min(max(offset, 0), len(self.text))
        line = bisect.bisect_right(self.starts, offset) - 1
        return types.Position(line, self.units(self.text[self.starts[line] : offset]))

    def offset(self, position: types.Position) -> int:
        """The offset of ``position``; past a line's end, that end; inside a character
        (half a surrogate pair), the offset after it."""
        if position.line >= len(self.starts):
            return len(self.text)
        start, end = self.line_span(position.line)
        count = 0
        for i in range(start, end):
            if count >= position.character:
                return i
            count += self.units(self.text[i])
        return end

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(self.position(start), self.position(end))
