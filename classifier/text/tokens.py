"""Tokenizing Japanese with fugashi + unidic-lite, and a content-hash token cache."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence

import fugashi
import numpy as np

from .extract import nfkc

# MeCab writes only the fields we read (surface, POS 1-2, lemma): far less string work
# than building fugashi node objects. `-O ""` clears the output format unidic-lite's
# dicrc sets, which would otherwise win over -F.
_TAGGER_ARGS = r'-O "" -F "%m\t%f[0]\t%f[1]\t%f[7]\n" -U "%m\t%f[0]\t%f[1]\t\n" -E ""'
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
# Pronouns, numerals, auxiliary-like verbs/nouns (する, ある, こと, もの) carry no topic.
_SKIP_POS2 = frozenset({"数詞", "代名詞", "非自立可能", "助動詞語幹"})
# Formal nouns (こと -> 事, もの -> 物, ため -> 為) are nouns to UniDic but carry no topic.
_STOP_LEMMAS = frozenset({"事", "物", "為", "様", "訳", "筈", "所", "方", "時", "中", "的"})
# 3: an unknown last word is kept; 4: formal nouns dropped; 5: bounded runs and length
TOKENIZER_VERSION = "5"
# The file name carries the cache's schema, so an older file is never misread; older
# files are removed. v3: entries carry the day they were last used.
CACHE_FILE = "cache-v3.sqlite"
_OLD_CACHE_FILES = ("tokens.sqlite", "cache-v2.sqlite")
# Entries unused for this many days are dropped (checked once a day): every edit of a post
# leaves its old version's tokens behind, and the cache would only grow.
MAX_AGE_DAYS = 90

# MeCab groups a run of characters of one class (letters, digits, katakana, symbols,
# emoji, rare kanji) into unknown-word candidates of every length, so its work grows with
# the square of the run: 40,000 katakana take 3.6 s, and 193,265 ASCII letters crash it
# (a segfault, measured with fugashi 1.5 / unidic-lite 1.0.8). Hiragana and common kanji
# are found in the dictionary and stay linear, and so do spaces, tabs and newlines (NFKC
# has made U+3000 a space; MeCab takes \x1c or U+2028 for letters). Runs of anything else
# are cut into pieces of MAX_RUN characters, far longer than any real word.
MAX_RUN = 64
_LONG_RUN = re.compile(rf"[^ \t\n\u3041-\u3093\u309d\u309e\u4e00-\u9fff]{{{MAX_RUN + 1},}}")
# Lone surrogates (JSON allows "\ud800") cannot be encoded for MeCab; NUL would end its input.
_UNENCODABLE = re.compile("[\ud800-\udfff\x00]")
# What one text may pass to the tagger: the models read at most the first 5,000
# characters of a body, and a title or a draft beyond this is not worth the time.
MAX_CHARS = 100_000


class Tokenizer:
    """Turns text into content-word lemmas: NFKC, lemma forms, ASCII case-folded.

    The MeCab tagger is created lazily, one per thread (a tagger is not thread-safe),
    and is never pickled.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def __getstate__(self) -> dict:
        return {}

    def __setstate__(self, state: dict) -> None:
        self._local = threading.local()

    @property
    def tagger(self) -> fugashi.Tagger:
        tagger = getattr(self._local, "tagger", None)
        if tagger is None:
            tagger = self._local.tagger = fugashi.Tagger(_TAGGER_ARGS)
        return tagger

    def __call__(self, text: str) -> list[str]:
        parsed = self.tagger.parse(bounded(text))
        out = []
        append = out.append
        for line in parsed.split("\n"):
            fields = line.split("\t")
            if len(fields) == 3:
                # fugashi strips the end of its output, and with it the empty lemma field
                # of an unknown last word ("はじめてのPython" would lose "Python").
                fields.append("")
            if len(fields) != 4 or fields[1] not in _CONTENT_POS or fields[2] in _SKIP_POS2:
                continue
            surface, _, pos2, lemma = fields
            # UniDic's lemma of a proper noun is its reading (京都 -> キョウト), which hides
            # the name from explanations and from matching tags: keep proper nouns as
            # written. Loanword lemmas carry their origin ("エージェント-agent").
            word = lemma.partition("-")[0] if lemma and pos2 != "固有名詞" else surface
            if word in _STOP_LEMMAS:
                continue
            if word.isascii():
                word = word.lower()
                if not any(c.isalpha() for c in word):
                    continue
            append(word)
        return out


def _cut_run(match: re.Match) -> str:
    run = match.group()
    return " ".join(run[i : i + MAX_RUN] for i in range(0, len(run), MAX_RUN))


def bounded(text: str) -> str:
    """``text`` as the tagger may safely see it: NFKC, at most ``MAX_CHARS`` characters,
    no run of one character class longer than ``MAX_RUN``, nothing MeCab cannot read."""
    # Cut before NFKC (linear, but on all of a huge text) and after (it can lengthen text).
    text = _UNENCODABLE.sub("\ufffd", text[:MAX_CHARS])
    return _LONG_RUN.sub(_cut_run, nfkc(text)[:MAX_CHARS])


def content_hash(text: str) -> str:
    # surrogatepass: a lone surrogate (from JSON) still hashes.
    data = f"{TOKENIZER_VERSION}\0{text}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class TokenCache:
    """Tokens (and extracted text blocks, their fingerprints, a model's scores) of texts keyed
    by content hash, in one SQLite file.

    Unchanged texts are never tokenized twice. A corrupt entry is recomputed, and a
    corrupt or unwritable database degrades to no cache, never to a failure. Entries
    unused for ``MAX_AGE_DAYS`` are dropped; SQLite reuses their space, so the file stops
    growing rather than shrinking.
    """

    # Each table: a content hash, its value column(s) with their SQLite type, and the day
    # the entry was last used.
    _TABLES = {
        "tokens": ("value TEXT",),
        "blocks": ("value TEXT",),
        "fingerprints": ("value TEXT",),
        # A post's category and tag probabilities as float64 arrays, one row a post: a row a
        # label would be millions of rows for a blog with a thousand tags.
        "scores": ("categories BLOB", "tags BLOB"),
    }
    _TYPES = {"TEXT": str, "BLOB": bytes}

    def __init__(self, folder: str | None) -> None:
        self.folder = folder
        self._db: sqlite3.Connection | None = None
        self._today = dt.date.today().toordinal()
        if folder:
            try:
                os.makedirs(folder, exist_ok=True)
                self._db = self._open(os.path.join(folder, CACHE_FILE))
                with contextlib.suppress(sqlite3.Error):  # locked by another run: next time
                    self._prune()
                for name in _OLD_CACHE_FILES:
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(os.path.join(folder, name))
            except (OSError, sqlite3.Error):
                self._db = None

    @classmethod
    def _open(cls, path: str) -> sqlite3.Connection:
        def connect() -> sqlite3.Connection:
            db = sqlite3.connect(path)
            for table, columns in cls._TABLES.items():
                db.execute(f"CREATE TABLE IF NOT EXISTS {table} "
                           f"(hash TEXT PRIMARY KEY, {', '.join(columns)}, used INTEGER NOT NULL)")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER)")
            return db

        try:
            return connect()
        except sqlite3.DatabaseError:
            os.replace(path, path + ".corrupt")  # keep it for a post-mortem, start afresh
            return connect()

    def _prune(self) -> None:
        with self._db:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'pruned'").fetchone()
            if row and row[0] == self._today:
                return
            for table in self._TABLES:
                self._db.execute(f"DELETE FROM {table} WHERE used < ?",
                                 (self._today - MAX_AGE_DAYS,))
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (self._today,))

    def _get(self, table: str, hashes: list[str]) -> dict[str, tuple]:
        """The value columns of the entries of ``hashes`` found in ``table``; an entry whose
        values are not of their column's type counts as missing."""
        found: dict[str, tuple] = {}
        if self._db is None or not hashes:
            return found
        columns = self._TABLES[table]
        names = ", ".join(c.split()[0] for c in columns)
        types = tuple(self._TYPES[c.split()[1]] for c in columns)
        try:
            stale: list[str] = []
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT hash, {names}, used FROM {table} WHERE hash IN ({marks})", chunk)
                for key, *values, used in rows:
                    if all(isinstance(v, t) for v, t in zip(values, types, strict=True)):
                        found[key] = tuple(values)
                        if used != self._today:
                            stale.append(key)
            if stale:  # marked once a day per entry, so reads seldom write
                with self._db:
                    self._db.executemany(f"UPDATE {table} SET used = ? WHERE hash = ?",
                                         [(self._today, key) for key in stale])
        except sqlite3.Error:
            pass
        return found

    def _put(self, table: str, items: Mapping[str, tuple]) -> None:
        if self._db is None or not items:
            return
        marks = ", ".join("?" * (len(self._TABLES[table]) + 2))
        try:
            with self._db:
                self._db.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})",
                                     [(k, *v, self._today) for k, v in items.items()])
        except sqlite3.Error:
            pass

    def get_many(self, hashes: list[str]) -> dict[str, list[str]]:
        return {k: v.split("\n") if v else [] for k, (v,) in self._get("tokens", hashes).items()}

    def put_many(self, items: dict[str, list[str]]) -> None:
        self._put("tokens", {k: ("\n".join(v),) for k, v in items.items()})

    def get_blobs(self, hashes: list[str]) -> dict[str, object]:
        """JSON values (extracted blocks); an undecodable entry counts as missing."""
        out = {}
        for key, (value,) in self._get("blocks", hashes).items():
            try:
                out[key] = json.loads(value)
            except ValueError:
                continue
        return out

    def put_blobs(self, items: dict[str, object]) -> None:
        self._put("blocks", {k: (json.dumps(v, ensure_ascii=False),) for k, v in items.items()})

    def get_fingerprints(self, hashes: list[str]) -> dict[str, frozenset[int]]:
        """Sets of integers (a body's block fingerprints); an unreadable entry counts as
        missing."""
        out = {}
        for key, (value,) in self._get("fingerprints", hashes).items():
            try:
                out[key] = frozenset(map(int, value.split()))
            except ValueError:
                continue
        return out

    def put_fingerprints(self, items: dict[str, frozenset[int]]) -> None:
        self._put("fingerprints", {k: (" ".join(map(str, sorted(v))),) for k, v in items.items()})

    def get_scores(self, hashes: list[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """(category probabilities, tag probabilities) of a model for each text found; an
        unreadable entry counts as missing."""
        out = {}
        for key, (categories, tags) in self._get("scores", hashes).items():
            if len(categories) % 8 == 0 and len(tags) % 8 == 0:
                out[key] = (np.frombuffer(categories, "<f8"), np.frombuffer(tags, "<f8"))
        return out

    def put_scores(self, items: Mapping[str, tuple[Sequence[float], Sequence[float]]]) -> None:
        self._put("scores", {k: (np.asarray(c, "<f8").tobytes(), np.asarray(t, "<f8").tobytes())
                             for k, (c, t) in items.items()})


# One per worker process: loky reuses workers across calls, and a MeCab tagger per
# chunk would pile up dictionaries in memory.
_WORKER_TOKENIZER = Tokenizer()


def _tokenize_chunk(texts: list[str]) -> list[list[str]]:
    return [_WORKER_TOKENIZER(t) for t in texts]


def tokenize_many(
    texts: list[str],
    *,
    cache: TokenCache | None = None,
    n_jobs: int = 1,
    progress: object | None = None,
) -> list[list[str]]:
    """Tokenize ``texts``, reading and filling ``cache``; ``n_jobs`` > 1 uses processes.

    ``progress`` is called with the number of texts done after each chunk.
    """
    hashes = [content_hash(t) for t in texts]
    known = cache.get_many(list(set(hashes))) if cache else {}
    todo = sorted({h: i for i, h in enumerate(hashes) if h not in known}.values())
    if progress:
        progress(len(texts) - len(todo))
    if todo:
        chunks = [todo[i : i + 32] for i in range(0, len(todo), 32)]
        fresh: dict[str, list[str]] = {}
        for chunk, result in zip(chunks, _map(chunks, texts, n_jobs), strict=True):
            fresh.update({hashes[i]: toks for i, toks in zip(chunk, result, strict=True)})
            if progress:
                progress(len(chunk))
        if cache:
            cache.put_many(fresh)
        known.update(fresh)
    return [known[h] for h in hashes]


# MeCab's dictionary files, as it names them in any dictionary folder.
_DICTIONARY_FILES = frozenset({"sys.dic", "matrix.bin", "char.bin", "unk.dic"})
_MADV_POPULATE_READ = 22  # Linux 5.14 and later


def map_dictionary() -> int:
    """Open this thread's tagger and map in every page of its dictionary now; the bytes
    mapped (0 where the system cannot: not Linux, or a kernel before 5.14).

    MeCab maps its dictionary (unidic-lite: 260 MB) and pages it in as words come up, so
    a long-running process grows with each text of new words until the whole dictionary
    is in, and pays the page faults on the way. A server calls this once at start: its
    memory is then what it will be, and no reading waits on the faults. The pages are
    the system's file cache, shared with every other process reading the dictionary.
    """
    _WORKER_TOKENIZER.tagger  # noqa: B018 (opening the tagger maps the dictionary)
    try:
        with open("/proc/self/maps", encoding="ascii") as maps:
            regions = [line.split() for line in maps]
        madvise = ctypes.CDLL(None, use_errno=True).madvise
    except (OSError, AttributeError):
        return 0
    madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    mapped = 0
    for region in regions:
        if len(region) > 5 and os.path.basename(region[5]) in _DICTIONARY_FILES:
            start, end = (int(x, 16) for x in region[0].split("-"))
            if madvise(start, end - start, _MADV_POPULATE_READ) == 0:
                mapped += end - start
    return mapped


def _map(chunks: list[list[int]], texts: list[str], n_jobs: int) -> Iterable[list[list[str]]]:
    from ..workers import run

    # A few chunks are not worth a worker process. In this process, the shared tokenizer
    # keeps one MeCab tagger per thread: a tagger per call would cost its start-up on every
    # suggestion and (seen in the service) never be freed.
    tasks = [([texts[i] for i in chunk],) for chunk in chunks]
    return run(_tokenize_chunk, tasks, n_jobs if len(chunks) >= 4 else 1)
