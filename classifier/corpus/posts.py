"""Reading posts: front matter (YAML, TOML, JSON or field lines), labels, dates, and whole
corpora."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

import yaml

from ..errors import NoFrontMatterError, PostError
from . import metadata
from .labels import string_labels

# Quarto's and R Markdown's (blogdown's) posts are Markdown with code chunks.
# Hugo reads AsciiDoc too, with the same front matter, and Org mode; Pelican and Nikola
# reStructuredText (the last two with field lines: ``metadata``).
POST_SUFFIXES = (".md", ".markdown", ".mdx", ".qmd", ".Rmd", ".Rmarkdown", ".adoc",
                 ".asciidoc", ".rst", ".org", ".html")
# Where a site root keeps its posts, the first found wins: Jekyll, Hexo, Hugo and Gatsby,
# Astro, Zenn, MkDocs Material's blog, Docusaurus.
POST_FOLDERS = ("_posts", "source/_posts", "content", "src/content", "articles",
                "docs/blog/posts", "blog")
# Never posts: installed packages (their READMEs) and a site's built copy.
SKIPPED_FOLDERS = frozenset({"node_modules", "_site", "vendor"})
_FENCES = {"---": "yaml", "+++": "toml"}
# Hugo's JSON front matter is an object that opens the file, on a line of its own or with
# its first key (not `{{<`, a shortcode, nor `{%`, a Liquid tag).
_JSON_OPENING = re.compile(r'\{\s*(?:"|$)')
# A key of a JSON object as written, at the start of its line.
_JSON_KEY = re.compile(r'^[ \t]*\{?[ \t]*"((?:[^"\\]|\\.)*)"[ \t]*:', re.MULTILINE)
# A post file larger than this is not read: real posts are well under 1 MB.
MAX_FILE_BYTES = 10 * 1024 * 1024
# Values in a front matter once YAML aliases are expanded. Real ones hold a few dozen; an
# alias bomb (each list naming the one before nine times) holds billions in 300 bytes,
# and anything that walked it (a title made a string) ran out of memory.
MAX_VALUES = 10_000
# Lone surrogates (JSON allows "\ud800") are no text: they cannot be written as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


# libyaml's loader where PyYAML has it: parsing front matter is most of reading time.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What a constructor raises for a value it cannot build (`date: 2025-02-30`, `!!int abc`).
_BUILD_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, RecursionError)


class _PlacingLoader(_YAML_LOADER):
    """The same loader, whose values that cannot be built are errors with their place,
    like any other bad YAML. Slower (each value passes through Python): used only to say
    where a document the fast loader could not build goes wrong."""

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except _BUILD_ERRORS as exc:
            value = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {value!r} ({exc})", node.start_mark) from None


# Where blogs keep a post's date, the first present wins (Jekyll and Hugo `date`, Notion
# exports `created_time`, Zenn `published_at`, Astro `pubDate`, …); then a date of last
# change where a blog keeps no other (Qiita's `updated_at`, Hugo's `lastmod`); then the
# path's (``_PATH_DATE``).
DATE_FIELDS = ("date", "created", "createdAt", "created_time", "published_at", "publishDate",
               "pubDate", "published", "updated_at", "updatedAt", "lastmod", "updated")
# A `status` that keeps a post off the site (Pelican's, and WordPress exports').
UNPUBLISHED = frozenset({"draft", "private", "pending"})
# Where blogs keep a post's labels, the first that holds any wins: Zenn calls its tags
# `topics`, Org mode `filetags`. The key found is kept (``Post.label_keys``), so `check`
# points at it and `--fix` rewrites it.
LABEL_FIELDS = {"categories": ("categories", "category"),
                "tags": ("tags", "tag", "topics", "filetags")}
# A tag written as a mapping (Docusaurus `{label: …, permalink: …}`, Qiita `{name: …}`).
_LABEL_NAMES = ("label", "name", "title")
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
# 2024-05-01, 2024/5/1, 2024.05.01, 2024年5月1日 (then any time); "May 1, 2024",
# "Jul 08 2022" (Astro), "1 May 2024".
_NUMERIC_DATE = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_MONTH_FIRST = re.compile(r"\s*(?:[A-Za-z]+,?\s+)?([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?"
                          r"\s+(\d{4})\b")
_DAY_FIRST = re.compile(r"\s*(?:[A-Za-z]+,?\s+)?(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
# A date in a post's path, as Jekyll, Hugo and Docusaurus name posts: a file or folder
# named `YYYY-MM-DD-…` (`2021-05-28-title.md`, `2021-05-28-title/index.md`), or folders
# `YYYY/MM/DD/` (`2021/05/28/title.md`).
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})(?:-(\d{2})-(\d{2})-|/(\d{2})/(\d{2})/)")
_PATH_DATE_DEPTH = 4  # the file and the folders it is in, up to `YYYY/MM/DD/`'s
# The closing hashes a Markdown heading may have (`# 題 #`), after a space (`C#` stays).
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
# A top-level key in YAML (`key:`) or TOML (`key =`): used to point messages at a line.
TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]")


@dataclass(frozen=True)
class Post:
    """One post or draft: its text, its labels and where they stand in the file."""

    path: str
    title: str
    body: str
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    date: dt.date | None = None
    draft: bool = False
    front_matter: dict = field(default_factory=dict, compare=False, repr=False)
    front_matter_format: str | None = None  # "yaml", "toml", "json", "metadata" or None
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    body_line: int = 1
    # The front-matter key each label field was read from ("categories" -> "category").
    label_keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def label_key(self, name: str) -> str:
        """The key of label field ``name`` ("categories" or "tags") in this post."""
        return self.label_keys.get(name, name)


@dataclass
class Corpus:
    """The posts read from some paths, and the files skipped with the reason why."""

    posts: list[Post]
    skipped: list[PostError]
    left_out: Counter = field(default_factory=Counter)  # reason -> count (drafts, dates)

    def summary(self) -> str:
        parts = [f"{len(self.posts)} posts used", f"{len(self.skipped)} skipped"]
        parts += [f"{n} left out ({why})" for why, n in sorted(self.left_out.items())]
        return ", ".join(parts)


def split_front_matter(text: str, path: str = "<draft>") -> tuple[str | None, str, str, int]:
    """Split ``text`` into (format, front matter source, body, first line of body).

    Returns format ``None`` when the text has no front matter. Raises ``PostError`` when
    a front-matter fence is opened and never closed.
    """
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines:
        return None, "", "", 1
    fence = lines[0].rstrip("\r\n").rstrip()
    if _JSON_OPENING.match(fence):
        return _split_json(text, path)
    if fence not in _FENCES:
        # Field lines (Pelican, Nikola; see ``metadata``).
        found = metadata.split(lines, rst=path.endswith(".rst"))
        return ("metadata", *found) if found else (None, "", text, 1)
    # YAML may also end its front matter with `...`, its end of document (pandoc, R
    # Markdown, Quarto).
    closing = (fence, "...") if fence == "---" else (fence,)
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n").rstrip() in closing:
            source = "".join(lines[1:i])
            return _FENCES[fence], source, "".join(lines[i + 1 :]), i + 2
    raise PostError(f"front matter opened with '{fence}' is never closed", path=path, line=1)


def _split_json(text: str, path: str) -> tuple[str, str, str, int]:
    """``split_front_matter`` of a text that opens with a JSON object: the object is the
    front matter, the body starts on the line after it closes."""
    try:
        _, end = json.JSONDecoder().raw_decode(text)
    except json.JSONDecodeError as exc:
        raise PostError(f"invalid JSON front matter: {exc.msg}", path=path,
                        line=exc.lineno) from None
    except RecursionError:
        raise PostError("invalid JSON front matter: nested too deep", path=path,
                        line=1) from None
    # The rest of the closing line, when blank, is not the body's.
    newline = text.find("\n", end)
    body = text[newline + 1:] if newline >= 0 and not text[end:newline].strip() else text[end:]
    return "json", text[:end], body, text.count("\n", 0, len(text) - len(body)) + 1


def _load_json(source: str) -> object:
    """A JSON front matter's data (it parsed when it was split), without the lone
    surrogates its escapes may hold."""
    data = json.loads(source)
    if _count_values(data) > MAX_VALUES:
        raise ValueError(f"holds more than {MAX_VALUES:,} values")

    def clean(value: object) -> object:
        if isinstance(value, str):
            return _SURROGATE.sub("\ufffd", value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        return value

    return clean(data)


def parse_front_matter(fmt: str, source: str, path: str) -> dict:
    """Parse a front-matter block into a mapping; errors name the file and line."""
    try:
        if fmt == "json":
            data = _load_json(source)
        elif fmt == "metadata":
            data = metadata.load(source)
        else:
            data = load_yaml(source) if fmt == "yaml" else tomllib.loads(source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        context = getattr(exc, "context_mark", None)
        if mark is not None and context is not None and mark.line >= source.count("\n"):
            # Found at the end of the block (an unclosed bracket or quote): the closing
            # fence says nothing, the line where the bracket or quote opened does.
            mark = context
        line = mark.line + 2 if mark is not None else 2  # +1 for 1-based, +1 for fence
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PostError(f"invalid YAML front matter: {problem}", path=path, line=line) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) + 1 if match else None
        raise PostError(f"invalid TOML front matter: {exc}", path=path, line=line) from None
    except RecursionError:  # tomllib and json nest arrays by recursion
        raise PostError(f"invalid {fmt.upper()} front matter: nested too deep", path=path,
                        line=2) from None
    except ValueError as exc:  # too much JSON, or too many field lines, once split
        kind = "JSON front matter" if fmt == "json" else "front matter (field lines)"
        raise PostError(f"invalid {kind}: {exc}", path=path, line=1) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PostError(
            f"front matter must be a mapping of fields, not a {type(data).__name__}",
            path=path,
            line=2,
        )
    return data


def load_yaml(source) -> object:
    """YAML text or stream as data, safely: ``yaml.YAMLError`` for anything that cannot
    be built, and for a document that holds more than ``MAX_VALUES`` values."""
    source = source if isinstance(source, str) else source.read()
    try:
        data = yaml.load(source, Loader=_YAML_LOADER)
    except _BUILD_ERRORS:
        data = yaml.load(source, Loader=_PlacingLoader)  # raises, with the value's place
    if _count_values(data) > MAX_VALUES:
        where = next((f"'{k}' holds " for k, v in data.items()
                      if _count_values(v) > MAX_VALUES), "") if isinstance(data, dict) else ""
        raise yaml.constructor.ConstructorError(
            None, None, f"{where or 'holds '}more than {MAX_VALUES:,} values once aliases are "
            "expanded (an alias bomb?)", None)
    return data


def compose_yaml(source: str) -> yaml.Node | None:
    """YAML text as the parser's nodes, with their places and styles, read as
    ``parse_post`` reads it; ``yaml.YAMLError`` if it is not YAML.

    Nothing is built: an alias is the very node it names, so an alias bomb stays as
    small as its text."""
    return yaml.compose(_SURROGATE.sub("\ufffd", source), Loader=_YAML_LOADER)


def _count_values(data: object) -> int:
    """How many values ``data`` holds with every shared list or mapping counted each time
    it appears, stopping past ``MAX_VALUES`` (a list that holds itself counts as too many).

    Counted over the shared objects, so the work is bounded by the document's own size.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[object, bool]] = [(data, False)]
    while stack:
        value, children_done = stack.pop()
        if not isinstance(value, list | dict) or id(value) in sizes and not children_done:
            continue
        items = list(value.values()) if isinstance(value, dict) else value
        if children_done:
            total = 1 + sum(sizes.get(id(v), 1) for v in items)
            sizes[id(value)] = min(total, MAX_VALUES + 1)
            continue
        sizes[id(value)] = MAX_VALUES + 1  # until its children are counted: a cycle is too big
        stack.append((value, True))
        stack += [(v, False) for v in items if isinstance(v, list | dict) and id(v) not in sizes]
    return sizes.get(id(data), 1)


def _labels(value: object, path: str, name: str, line: int | None) -> tuple[str, ...]:
    """Labels from a list, or a string of them (``string_labels``)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(label for label, _, _ in string_labels(value, name))
    if isinstance(value, list | tuple):
        # Hexo writes several category paths as lists in the list (`- [Diary, Games]`).
        value = [v for item in value
                 for v in (item if isinstance(item, list | tuple) else (item,))]
        out = []
        for item in value:
            if isinstance(item, dict):
                item = next((item[k] for k in _LABEL_NAMES if isinstance(item.get(k), str)),
                            item)
            if isinstance(item, dt.date):  # `tags: [2024-01-01]`, read by YAML as a date
                item = item.isoformat()
            if isinstance(item, str | int | float) and not isinstance(item, bool):
                out.append(str(item))
            elif item is not None:
                raise PostError(f"'{name}' holds a {type(item).__name__}", path=path, line=line)
        return tuple(out)
    raise PostError(
        f"'{name}' must be a list or a string, not {type(value).__name__}", path=path, line=line
    )


def _keys(data: dict) -> Callable[[str], str | None]:
    """A lookup of ``data``'s keys: a field's own name, else one that differs in case only
    (`Title`, `Tags` in front matter converted from other tools)."""
    folded: dict[str, str] = {}
    for key in data:
        if isinstance(key, str):
            folded.setdefault(key.casefold(), key)
    return lambda name: name if name in data else folded.get(name.casefold())


def _label_field(data: dict, key_of: Callable[[str], str | None], name: str, path: str,
                 lines: dict[str, int]) -> tuple[str, tuple[str, ...]]:
    """(key, labels) of label field ``name``: the first of its keys with labels, else
    the first present, else ``name`` itself with none."""
    keys = [k for k in map(key_of, LABEL_FIELDS[name]) if k]
    first = None
    for key in keys:
        labels = _labels(data[key], path, key, lines.get(key))
        if labels:
            return key, labels
        first = first or key
    return first or name, ()


def _calendar_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _parse_date(text: str) -> dt.date | None:
    if match := _NUMERIC_DATE.match(text):
        return _calendar_date(*map(int, match.groups()))
    if match := _MONTH_FIRST.match(text):
        month, day, year = match.groups()
    elif match := _DAY_FIRST.match(text):
        day, month, year = match.groups()
    else:
        return None
    number = _MONTHS.get(month[:3].lower())
    return _calendar_date(int(year), number, int(day)) if number else None


def _date(value: object) -> dt.date | None:
    if isinstance(value, dict):  # MkDocs Material's blog: `date: {created: …, updated: …}`
        value = value.get("created")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _parse_date(value) if isinstance(value, str) else None


def _file_date(path: str) -> dt.date | None:
    """The date the post's path gives (``_PATH_DATE``), the nearest to the file first;
    folders far above it (a backup's, say) are not read."""
    near = "/".join(path.replace(os.sep, "/").split("/")[-_PATH_DATE_DEPTH:])
    for match in reversed(list(_PATH_DATE.finditer(near))):
        year, *rest = match.groups()
        month, day = rest[:2] if rest[0] else rest[2:]
        if date := _calendar_date(int(year), int(month), int(day)):
            return date
    return None


def _heading_title(body: str) -> str:
    """The text of ``body``'s first line that is not blank if it is a level-1 Markdown
    heading (`# 題`) or an AsciiDoc document title (`= 題`), else ""."""
    line = body.lstrip().split("\n", 1)[0]
    if not line.startswith(("# ", "#\t", "= ")):
        return ""
    return _CLOSING_HASHES.sub("", line[2:].strip()).strip()


def field_lines(source: str, fmt: str = "yaml") -> dict[str, int]:
    """Each top-level key of a front-matter block and the file line it is first on."""
    if fmt == "metadata":
        return metadata.field_lines(source)
    lines: dict[str, int] = {}
    if fmt == "json":  # no fence above it; a nested key of the same name may come first
        for match in _JSON_KEY.finditer(source):
            try:
                key = json.loads(f'"{match.group(1)}"')
            except ValueError:
                continue
            lines.setdefault(key, source.count("\n", 0, match.start(1)) + 1)
        return lines
    for number, line in enumerate(source.splitlines(), start=2):  # below the fence
        match = TOP_KEY.match(line)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    return lines


def _flag(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def parse_post(text: str, path: str = "<draft>", *, require_front_matter: bool = True) -> Post:
    """Build a ``Post`` from a file's text.

    Drafts may be plain text or Markdown without front matter
    (``require_front_matter=False``). A post or draft without a title takes its body's
    first line when that is a level-1 heading (``# 題``), as Docusaurus and many editors
    do; the heading stays in the body.
    """
    fmt, source, body, body_line = split_front_matter(_SURROGATE.sub("\ufffd", text), path)
    if fmt is None:
        if require_front_matter:
            raise NoFrontMatterError("no front matter (expected '---', '+++', a JSON "
                                     "object's '{' or field lines with a title first)",
                                     path=path)
        return Post(path=path, title=_heading_title(body), body=body, date=_file_date(path))
    data = parse_front_matter(fmt, source, path)
    lines = field_lines(source, fmt)
    key_of = _keys(data)

    def value(name: str) -> object:
        key = key_of(name)
        return None if key is None else data[key]

    title = value("title")
    category_key, categories = _label_field(data, key_of, "categories", path, lines)
    tag_key, tags = _label_field(data, key_of, "tags", path, lines)
    # The first field that holds a date (Zenn's `published` is a flag, not a date).
    dates = map(_date, map(value, DATE_FIELDS))
    return Post(
        path=path,
        title=str(title) if title is not None and str(title).strip() else _heading_title(body),
        body=body,
        categories=categories,
        tags=tags,
        date=next(filter(None, dates), None) or _file_date(path),
        draft=(_flag(value("draft")) or value("published") is False
               or str(value("status")).strip().casefold() in UNPUBLISHED),
        front_matter=data,
        front_matter_format=fmt,
        field_lines=lines,
        body_line=body_line,
        label_keys={"categories": category_key, "tags": tag_key},
    )


def decode(raw: bytes, path: str) -> str:
    """Decode a file's bytes as UTF-8, or raise ``PostError`` naming the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PostError(
            f"not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8",
            path=path,
            line=line,
        ) from None


_FILE_KINDS = {stat.S_IFDIR: "a folder", stat.S_IFIFO: "a FIFO (named pipe)",
               stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device", stat.S_IFBLK: "a device"}


def read_bytes(path: str) -> bytes:
    """The bytes of a regular file (a symbolic link is followed to one), at most
    ``MAX_FILE_BYTES``; ``PostError`` naming the problem otherwise.

    Opened without blocking and checked on the open file: a FIFO would hang the read and
    /dev/zero never end, and a check before opening could be raced.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise PostError(f"cannot read: {exc.strerror}", path=path) from None
    with os.fdopen(fd, "rb") as handle:
        kind = stat.S_IFMT(os.fstat(fd).st_mode)
        if kind != stat.S_IFREG:
            raise PostError(f"not a regular file ({_FILE_KINDS.get(kind, 'special')}); "
                            "skipped", path=path)
        return read_limited(handle, path)


def read_limited(handle, path: str) -> bytes:
    """What an open binary file or stream holds, at most ``MAX_FILE_BYTES``."""
    try:
        raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PostError(f"cannot read: {exc.strerror}", path=path) from None
    if len(raw) > MAX_FILE_BYTES:
        raise PostError(f"larger than {MAX_FILE_BYTES // 2**20} MB; not read", path=path)
    return raw


def read_text(path: str | os.PathLike) -> str:
    """A post file's text: ``read_bytes``, then ``decode``."""
    path = os.fspath(path)
    return decode(read_bytes(path), path)


def read_post(path: str | os.PathLike) -> Post:
    """Read one post file; raises ``PostError`` on unreadable files or bad front matter."""
    path = os.fspath(path)
    return parse_post(read_text(path), path)


def iter_post_paths(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    """The post files under ``paths``, sorted within each folder.

    A site root is read from where its generator keeps posts (``POST_FOLDERS``); any
    other folder recursively, but for hidden folders and ``SKIPPED_FOLDERS``. Files named
    on their own are taken as given.
    """
    for path in map(os.fspath, paths):
        if not os.path.isdir(path):
            yield path
            continue
        root = next((os.path.join(path, sub) for sub in POST_FOLDERS
                     if os.path.isdir(os.path.join(path, sub))), path)
        found = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS]
            for name in files:
                # Hugo's _index.md pages list a section; they are not posts.
                if name.endswith(POST_SUFFIXES) and not name.startswith(("_index.", ".")):
                    found.append(os.path.join(folder, name))
        yield from sorted(found)


def load_corpus(
    paths: Iterable[str | os.PathLike],
    *,
    include_drafts: bool = False,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Corpus:
    """Read every post under ``paths``; bad files are recorded in ``skipped``, not raised.

    ``since`` and ``until`` keep posts dated in [since, until); posts without a date are
    kept only when no bound is given.
    """
    corpus = Corpus(posts=[], skipped=[])
    for path in iter_post_paths(paths):
        try:
            post = read_post(path)
        except PostError as exc:
            corpus.skipped.append(exc)
            continue
        if post.draft and not include_drafts:
            corpus.left_out["draft or unpublished"] += 1
        elif (since or until) and (
            post.date is None
            or (since and post.date < since)
            or (until and post.date >= until)
        ):
            corpus.left_out["outside the date range"] += 1
        else:
            corpus.posts.append(post)
    return corpus
