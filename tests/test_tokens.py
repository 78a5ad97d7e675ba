"""Tokenizing with fugashi + unidic-lite, and the content-hash token cache."""

from __future__ import annotations

import datetime as dt
import pickle
import re
import sqlite3
import subprocess
import sys
import threading

import pytest

from bunrui.classifier import TokenCache, Tokenizer
from bunrui.classifier.text.tokens import (
    CACHE_FILE,
    MAX_AGE_DAYS,
    MAX_CHARS,
    MAX_RUN,
    bounded,
    content_hash,
    tokenize_many,
)


@pytest.fixture(scope="module")
def tokenize():
    return Tokenizer()


# (text, the tokens exactly)
TOKENS = [
    pytest.param("Pythonを使って書いた", ["python", "使う", "書く"], id="verb-lemmas"),
    pytest.param("食べている", ["食べる"], id="verb-lemma-auxiliary-dropped"),
    pytest.param("テストを書きました", ["テスト", "書く"], id="loanword-lemma-test"),
    pytest.param("エージェントを作る", ["エージェント", "作る"], id="loanword-lemma-agent"),
    pytest.param("美しい景色", ["美しい", "景色"], id="adjective"),
    pytest.param("静かな町", ["静か", "町"], id="na-adjective"),
    pytest.param("PyTestとJavaScript", ["pytest", "javascript"], id="ascii-case-folded"),
    pytest.param("ＰＹＴＨＯＮ", ["python"], id="nfkc-full-width-alone"),
    pytest.param("ＰＹＴＨＯＮを学ぶ", ["python", "学ぶ"], id="nfkc-full-width"),
    pytest.param("はじめてのPython", ["python"], id="unknown-last-word-kept"),
    pytest.param("SQLite3とHTML5", ["sqlite", "html"], id="digits-after-words-dropped"),
    pytest.param("京都に行った", ["京都"], id="proper-noun-as-written"),
    pytest.param("嵐山と北海道", ["嵐山", "北海道"], id="proper-nouns"),
    pytest.param("東京タワーへ", ["東京", "タワー"], id="proper-noun-and-noun"),
    pytest.param("これはそれです", [], id="pronouns-particles-dropped"),
    pytest.param("！？「」・…（）", [], id="symbols-dropped"),
    pytest.param("2025 100 3.14 ２０２５", [], id="numbers-dropped"),
    pytest.param("", [], id="empty"),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_tokenizer(tokenize, text, expected):
    assert tokenize(text) == expected


# (text, tokens that must be there, tokens that must not)
TOKENS_AMONG = [
    pytest.param("味噌汁を作ってみました", ["味噌", "作る"], ["作っ", "て", "を", "ました"],
                 id="no-inflected-forms-or-particles"),
    pytest.param("京都の温泉に泊まった", ["京都", "温泉", "泊まる"], ["キョウト", "の", "に"],
                 id="proper-noun-not-reading"),
    pytest.param("Jestのテストとpytestのテスト", ["jest", "pytest", "テスト"],
                 ["Jest", "テスト-test"], id="folded-and-suffix-free"),
    pytest.param("2025年に3回、100円で", [], ["2025", "3", "100", "、", "に", "で"],
                 id="numbers-particles-symbols"),
]


@pytest.mark.parametrize(("text", "present", "absent"), TOKENS_AMONG)
def test_tokenizer_among(tokenize, text, present, absent):
    tokens = tokenize(text)
    for token in present:
        assert token in tokens
    for token in absent:
        assert token not in tokens


# Runs of one character class that crash MeCab (ASCII past 193,264 characters) or cost it
# seconds (every class it groups: its work grows with the square of the run).
HOSTILE = [
    pytest.param("a" * 200_000, id="ascii-past-the-crash"),
    pytest.param("ア" * 200_000, id="katakana"),
    pytest.param("ｱ" * 50_000, id="half-width-katakana"),
    pytest.param("ー" * 50_000, id="long-vowel-mark"),
    pytest.param("1" * 50_000, id="digits"),
    pytest.param("。" * 50_000, id="punctuation"),
    pytest.param("😀" * 50_000, id="emoji"),
    pytest.param("𠀋" * 50_000, id="rare-kanji"),
    pytest.param("ゔ" * 50_000, id="rare-hiragana"),
    pytest.param("\u2028" * 50_000, id="line-separator"),
    pytest.param("ab" * 100_000, id="mixed-ascii"),
    pytest.param("Python" + "漢あ" * 100_000 + "ア" * 100_000, id="mixed-long"),
    pytest.param("東京\ud800大阪\x00へ", id="lone-surrogate-and-nul"),
]


@pytest.mark.parametrize("text", HOSTILE)
def test_tagger_sees_bounded_text(tokenize, text):
    safe = bounded(text)
    assert len(safe) <= MAX_CHARS * (1 + 1 / MAX_RUN)  # the cut, and a space per run piece
    assert "\x00" not in safe
    safe.encode("utf-8")  # no lone surrogate left
    # Only runs of common kanji and hiragana (found in MeCab's dictionary) may be long.
    assert max(map(len, re.split("[ 漢あ]", safe))) <= MAX_RUN
    assert isinstance(tokenize(text), list)  # and MeCab survives it


def test_bounded_leaves_real_text_alone():
    text = "マイクロサービスアーキテクチャをPythonで作る。" * 20
    assert bounded(text) == text
    assert content_hash("東京\ud800") != content_hash("東京")


def test_tokens_are_lemmas_without_origin_suffix(tokenize):
    text = "データベースのインデックスをテストするプログラムとエージェント"
    assert not any("-" in t for t in tokenize(text))


def test_tokenizer_pickles_without_its_tagger(tokenize):
    tokenize("先に一度使う")
    copy = pickle.loads(pickle.dumps(tokenize))
    assert copy.__getstate__() == {}
    assert copy("Pythonを使う") == ["python", "使う"]


def test_one_tagger_per_thread():
    tokenizer = Tokenizer()
    taggers = []

    def grab():
        taggers.append(tokenizer.tagger)

    threads = [threading.Thread(target=grab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert taggers[0] is not taggers[1]
    assert tokenizer.tagger is tokenizer.tagger


def test_content_hash_is_stable_and_distinct():
    assert content_hash("京都") == content_hash("京都")
    assert content_hash("京都") != content_hash("大阪")
    assert len(content_hash("")) == 32


@pytest.fixture
def calls(monkeypatch):
    """Counts the texts the real tokenizer is asked to tokenize."""
    seen: list[str] = []
    original = Tokenizer.__call__

    def counting(self, text):
        seen.append(text)
        return original(self, text)

    monkeypatch.setattr(Tokenizer, "__call__", counting)
    return seen


TEXTS = ["PythonとSQLiteでメモアプリを作る", "京都の温泉に泊まった", "トマト缶でパスタを作る"]


def test_second_call_hits_the_cache(tmp_path, calls):
    cache = TokenCache(str(tmp_path / "cache"))
    first = tokenize_many(TEXTS, cache=cache)
    assert len(calls) == len(TEXTS)
    calls.clear()
    assert tokenize_many(TEXTS, cache=cache) == first
    assert calls == []
    # The cache outlives the object: a new one on the same folder still hits.
    assert tokenize_many(TEXTS[::-1], cache=TokenCache(str(tmp_path / "cache"))) == first[::-1]
    assert calls == []
    assert first == [Tokenizer()(t) for t in TEXTS]


def test_only_new_texts_are_tokenized(tmp_path, calls):
    cache = TokenCache(str(tmp_path))
    tokenize_many(TEXTS[:2], cache=cache)
    calls.clear()
    tokenize_many(TEXTS, cache=cache)
    assert calls == [TEXTS[2]]


def test_duplicate_texts_are_tokenized_once(calls):
    tokens = tokenize_many([TEXTS[0], TEXTS[1], TEXTS[0]])
    assert sorted(calls) == sorted(TEXTS[:2])
    assert tokens[0] == tokens[2]


def test_no_cache_tokenizes_every_time(calls):
    tokenize_many(TEXTS, cache=None)
    tokenize_many(TEXTS, cache=TokenCache(None))
    assert len(calls) == 2 * len(TEXTS)


def test_empty_token_list_is_cached(tmp_path, calls):
    cache = TokenCache(str(tmp_path))
    assert tokenize_many(["これはそれです"], cache=cache) == [[]]
    calls.clear()
    assert tokenize_many(["これはそれです"], cache=cache) == [[]]
    assert calls == []


@pytest.mark.parametrize("bad_value", [None, b"\x00\xffnot text"])
def test_corrupt_entry_is_recomputed(tmp_path, calls, bad_value):
    expected = Tokenizer()(TEXTS[1])
    calls.clear()
    folder = tmp_path / "cache"
    TokenCache(str(folder))
    with sqlite3.connect(folder / CACHE_FILE) as db:
        db.execute("INSERT INTO tokens VALUES (?, ?, ?)",
                   (content_hash(TEXTS[1]), bad_value, dt.date.today().toordinal()))
    db.close()
    cache = TokenCache(str(folder))
    assert tokenize_many([TEXTS[1]], cache=cache) == [expected]
    assert calls == [TEXTS[1]]
    calls.clear()
    tokenize_many([TEXTS[1]], cache=cache)  # the entry was repaired
    assert calls == []


@pytest.mark.parametrize(
    "garbage",
    [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
)
def test_corrupt_database_is_replaced_not_fatal(tmp_path, calls, garbage):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / CACHE_FILE).write_bytes(garbage)
    cache = TokenCache(str(folder))
    assert tokenize_many(TEXTS, cache=cache) == [Tokenizer()(t) for t in TEXTS]
    # The bad file is kept aside for a post-mortem and a fresh cache works.
    assert (folder / (CACHE_FILE + ".corrupt")).read_bytes() == garbage
    calls.clear()
    tokenize_many(TEXTS, cache=TokenCache(str(folder)))
    assert calls == []


def test_unusable_cache_folder_degrades_to_no_cache(tmp_path, calls):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cache = TokenCache(str(blocker / "cache"))
    assert tokenize_many(TEXTS, cache=cache) == [Tokenizer()(t) for t in TEXTS]
    assert blocker.read_text() == "not a folder"


def test_cache_lives_where_asked(tmp_path):
    folder = tmp_path / "deep" / "cache" / "bunrui"
    tokenize_many(TEXTS, cache=TokenCache(str(folder)))
    assert [p.name for p in folder.iterdir()] == [CACHE_FILE]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [CACHE_FILE]


def _age(folder, days: dict[str, int]) -> None:
    """Make the cache's entries of some texts look last used ``days`` ago, and let the
    next open prune again today."""
    today = dt.date.today().toordinal()
    with sqlite3.connect(folder / CACHE_FILE) as db:
        for text, ago in days.items():
            db.execute("UPDATE tokens SET used = ? WHERE hash = ?",
                       (today - ago, content_hash(text)))
        db.execute("DELETE FROM meta")
    db.close()


def _cached(folder) -> set[str]:
    with sqlite3.connect(folder / CACHE_FILE) as db:
        hashes = {h for (h,) in db.execute("SELECT hash FROM tokens")}
    db.close()
    return {t for t in TEXTS if content_hash(t) in hashes}


def test_entries_unused_for_long_are_dropped(tmp_path, calls):
    tokenize_many(TEXTS, cache=TokenCache(str(tmp_path)))
    _age(tmp_path, {TEXTS[0]: MAX_AGE_DAYS + 1, TEXTS[1]: MAX_AGE_DAYS - 1})
    TokenCache(str(tmp_path))
    assert _cached(tmp_path) == set(TEXTS) - {TEXTS[0]}
    calls.clear()
    tokenize_many(TEXTS, cache=TokenCache(str(tmp_path)))
    assert calls == [TEXTS[0]]


def test_using_an_entry_keeps_it(tmp_path):
    tokenize_many(TEXTS, cache=TokenCache(str(tmp_path)))
    _age(tmp_path, {TEXTS[0]: MAX_AGE_DAYS - 1})
    tokenize_many([TEXTS[0]], cache=TokenCache(str(tmp_path)))  # used today
    _age(tmp_path, {})
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        db.execute("UPDATE tokens SET used = used - 2")  # two days pass
    db.close()
    TokenCache(str(tmp_path))
    assert TEXTS[0] in _cached(tmp_path)


def test_files_of_older_cache_versions_are_removed(tmp_path):
    for name in ("tokens.sqlite", "cache-v2.sqlite", "notes.txt"):
        (tmp_path / name).write_text("old")
    TokenCache(str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_FILE, "notes.txt"]


def test_progress_counts_every_text(tmp_path):
    done: list[int] = []
    cache = TokenCache(str(tmp_path))
    tokenize_many(TEXTS, cache=cache, progress=done.append)
    assert sum(done) == len(TEXTS)
    done.clear()
    tokenize_many(TEXTS, cache=cache, progress=done.append)
    assert sum(done) == len(TEXTS)


def test_processes_give_the_same_tokens():
    # Enough texts for several chunks, so n_jobs=2 really uses worker processes.
    texts = [f"{i}回目の京都旅行でPythonを書いた" if i % 2 else f"パスタ{i}皿" for i in range(140)]
    assert tokenize_many(texts, n_jobs=2) == tokenize_many(texts, n_jobs=1)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="madvise and /proc are Linux's")
def test_a_server_maps_in_the_whole_dictionary_at_once():
    # In a process of its own: this one's tagger may have paged in part of it already.
    code = ("from bunrui.classifier.text.tokens import map_dictionary\n"
            "mapped = map_dictionary()\n"
            "rss = next(int(line.split()[1]) * 1024 for line in open('/proc/self/status')"
            " if line.startswith('RssFile:'))\n"
            "print(mapped, rss)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    mapped, rss = map(int, done.stdout.split())
    assert mapped > 50 * 2**20  # unidic-lite's sys.dic alone is 188 MB
    assert rss >= mapped  # in the process's memory, not only in the file cache
