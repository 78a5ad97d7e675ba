"""Text extraction: Markdown/HTML/Liquid to plain blocks, and corpus-learned boilerplate removal."""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
# Code as Org mode (`#+begin_src` .. `#+end_src`) and reStructuredText (a `code-block`
# directive and the lines indented under it) write it.
_ORG_BLOCK = re.compile(r"^[ \t]*#\+begin_(src|example)\b.*?(?:^[ \t]*#\+end_\1\b.*?$|\Z)",
                        re.M | re.S | re.I)
_RST_CODE = re.compile(r"^([ \t]*)\.\. (?:code-block|code|sourcecode)::.*(?:\n[ \t]*(?=\n)"
                       r"|\n\1[ \t]+\S.*)*", re.M)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# Each with the text that closes it: see _sub_closed.
# Spans from an opening to the first close of its kind (group 1 of the opening).
_LIQUID = (re.compile(r"\{(?=([%{]))"), {"%": re.compile("%}"), "{": re.compile("}}")})
_SCRIPT = (re.compile(r"<(script|style)\b", re.I),
           {tag: re.compile(rf"</{tag}\s*>", re.I) for tag in ("script", "style")})
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
# No "[" inside a link's text or target: a scan then ends at the next bracket, where one
# to the end of the line from every "[" made a long line of brackets quadratic.
_IMAGE = re.compile(r"!\[[^\[\]\n]*\]\([^)\[\n]*\)|!\[[^\[\]\n]*\]\[[^\[\]\n]*\]")
_LINK = re.compile(r"\[([^\[\]\n]*)\]\([^)\[\n]*\)|\[([^\[\]\n]*)\]\[[^\[\]\n]*\]")
_URL = re.compile(r"(?:https?|ftp)://[^\s\x02]+|www\.[^\s\x02]+")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+.*$", re.M)
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.M)
_QUOTE = re.compile(r"^[ \t]*>+[ \t]?", re.M)
_EMPHASIS = re.compile(r"[*_~`]+")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_SPACE = re.compile(r"\s+")
_WORDLESS = re.compile(r"[\W_]+")
# Bump when what extract_blocks or BoilerplateFilter.clean output changes: cached blocks
# and the cached tokens of cleaned bodies are keyed by it.
# 2: no bracket inside a link's text or target; 3: Org's and reStructuredText's code.
TEXT_VERSION = "3"
# Link texts are fenced by these two control characters until blocks are formed, so a
# block made only of links can be told from prose.
_LINKED = re.compile("\x01[^\x02]*\x02")


def nfkc(text: str) -> str:
    """NFKC normalization, line by line: CPython is several times faster on short strings."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    return "\n".join(unicodedata.normalize("NFKC", line) for line in text.split("\n"))


@dataclass(frozen=True)
class Block:
    """A heading or a paragraph (list, quote, table) of a post, as plain text."""

    text: str
    heading_level: int = 0  # 1-6 for headings, 0 otherwise
    link_only: bool = False  # nothing but links: navigation, related posts, shop links
    # What identifies the block across posts: its words, without spacing or marks.
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", _WORDLESS.sub("", self.text.lower()))


def _block(lines: list[str], level: int = 0) -> Block | None:
    raw = " ".join(lines)
    # A few characters may stand beside the links: arrows, bullets, a "PR" mark.
    link_only = "\x01" in raw and len(_WORDLESS.sub("", _LINKED.sub("", raw))) <= 3
    text = _SPACE.sub(" ", raw.replace("\x01", " ").replace("\x02", " ").replace("|", " ")).strip()
    return Block(text, level, link_only) if text else None


def _strip_spans(text: str, opening: re.Pattern, closes: dict[str, re.Pattern],
                 repl: str) -> str:
    """Replace each span from an ``opening`` to the first close of its kind after it.

    The same as ``re.sub`` of ``opening.*?close``, in linear time: the regex searched
    from every unclosed opening to the end of the text again, so the work grew with the
    square of their number ("{%" * 20,000 took 5 s). Here each kind's next close is found
    once and reused until an opening lies past it.
    """
    out, pos = [], 0
    found: dict[str, re.Match | None] = {}  # kind -> its first close after the last search
    for match in opening.finditer(text):
        if match.start() < pos:
            continue
        kind = match.group(1).lower()
        close = found.get(kind, match)
        if close is not None and close.start() < match.end():
            close = found[kind] = closes[kind].search(text, match.end())
        if close is None:
            continue
        out += (text[pos : match.start()], repl)
        pos = close.end()
    out.append(text[pos:])
    return "".join(out)


def extract_blocks(markdown: str) -> list[Block]:
    """Split Markdown (with HTML and Liquid) into plain-text headings and paragraphs.

    Fenced code (and Org's and reStructuredText's), HTML comments, scripts, Liquid tags,
    HTML tags, images, URLs and Markdown marks are removed; link texts are kept.
    """
    text = nfkc(markdown)
    text = _FENCED.sub("\n", text)
    text = _ORG_BLOCK.sub("\n", text)
    text = _RST_CODE.sub("\n", text)
    text = _HTML_COMMENT.sub("\n", text)
    text = _strip_spans(text, *_SCRIPT, "\n")
    text = _strip_spans(text, *_LIQUID, " ")
    text = _REF_DEF.sub("", text)
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(lambda m: f"\x01{m.group(1) or m.group(2) or ''}\x02", text)
    text = _URL.sub(" ", text)
    text = _HTML_TAG.sub(" ", text)
    text = _LIST_MARK.sub("", text)
    text = _QUOTE.sub("", text)
    text = _EMPHASIS.sub("", text)
    blocks: list[Block] = []
    pending: list[str] = []
    for line in text.split("\n"):
        heading = _HEADING.match(line) if line.startswith("#") else None
        if heading or not line.strip() or ("-" in line and _TABLE_RULE.match(line)):
            if pending:
                blocks.append(_block(pending))
                pending = []
            if heading:
                blocks.append(_block([heading.group(2)], len(heading.group(1))))
        else:
            pending.append(line)
    if pending:
        blocks.append(_block(pending))
    return [b for b in blocks if b is not None]


def _hash(key: str) -> int:
    # Two fast C checksums make a 64-bit fingerprint: a cryptographic hash cost more than
    # the rest of fitting the filter, and only accidental collisions matter here.
    data = key.encode("utf-8", "surrogatepass")  # a lone surrogate from a JSON request
    return zlib.crc32(data) << 32 | zlib.adler32(data)


def fingerprints(blocks: Iterable[Block]) -> frozenset[int]:
    """What ``BoilerplateFilter`` counts of a post: its distinct block keys, hashed."""
    return frozenset(_hash(b.key) for b in blocks if b.key)


class BoilerplateFilter:
    """Learns which blocks recur across many posts of a corpus and removes them.

    A block (paragraph or heading) found in at least ``max(min_posts, min_share * n)``
    posts is boilerplate, and so is a block made of links only. A section whose
    heading recurs and whose content is mostly boilerplate (a related-posts list, a
    book shelf, a call to action) goes whole, subsections included. Blocks repeated
    inside one post are kept once.
    """

    def __init__(self, min_share: float = 0.01, min_posts: int = 3) -> None:
        self.min_share = min_share
        self.min_posts = min_posts

    def fit(self, documents: Iterable[Sequence[Block]]) -> BoilerplateFilter:
        return self.fit_fingerprints(map(fingerprints, documents))

    def fit_fingerprints(self, documents: Iterable[Collection[int]]) -> BoilerplateFilter:
        """``fit`` given each post's ``fingerprints`` (what a cache keeps of it)."""
        counts: Counter[int] = Counter()
        n = 0
        for prints in documents:
            n += 1
            counts.update(prints)
        self.threshold_ = max(self.min_posts, math.ceil(self.min_share * n))
        self.recurring_ = frozenset(h for h, c in counts.items() if c >= self.threshold_)
        return self

    def recurring(self, prints: Collection[int]) -> list[int]:
        """Which of a post's ``fingerprints`` are boilerplate: with the post, they decide
        what ``clean`` keeps of it."""
        return sorted(self.recurring_.intersection(prints))

    def _is_boilerplate(self, block: Block) -> bool:
        return block.link_only or not block.key or _hash(block.key) in self.recurring_

    def clean(self, blocks: Sequence[Block]) -> list[Block]:
        """The blocks worth learning from, in order."""
        flags = [self._is_boilerplate(b) for b in blocks]
        keep = [not f for f in flags]
        for i, block in enumerate(blocks):
            if not (block.heading_level and flags[i]):
                continue
            end = i + 1
            while end < len(blocks) and not (
                blocks[end].heading_level and blocks[end].heading_level <= block.heading_level
            ):
                end += 1
            content = [(len(b.text), flags[j]) for j, b in enumerate(blocks[i + 1 : end], i + 1)
                       if not b.heading_level]
            total = sum(size for size, _ in content)
            if total == 0 or sum(size for size, flag in content if flag) * 2 >= total:
                keep[i:end] = [False] * (end - i)
        seen: set[str] = set()
        out = []
        for block, kept in zip(blocks, keep, strict=True):
            if kept and block.key not in seen:
                seen.add(block.key)
                out.append(block)
        return out


def join_blocks(blocks: Iterable[Block]) -> str:
    """Plain text of blocks, one per line (the tokenizer's input)."""
    return "\n".join(b.text for b in blocks)
