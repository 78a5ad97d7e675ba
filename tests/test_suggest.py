"""Reading a corpus for training through the cache: the same documents, less work."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest
from conftest import JEKYLL

from bunrui.classifier import TokenCache, Tokenizer, load_corpus
from bunrui.classifier.model import documents as documents_module
from bunrui.classifier.model.documents import body_key, learn_documents, tokenize_posts
from bunrui.classifier.text.extract import BoilerplateFilter, extract_blocks
from bunrui.classifier.text.tokens import CACHE_FILE

MAX_CHARS = 5000


@pytest.fixture(scope="module")
def posts():
    return load_corpus([JEKYLL], include_drafts=True).posts


def uncached(posts):
    """What training reads, the plain way: every body extracted, cleaned and tokenized."""
    blocks = [extract_blocks(p.body) for p in posts]
    boilerplate = BoilerplateFilter().fit(blocks)
    return boilerplate, tokenize_posts(posts, boilerplate, MAX_CHARS, blocks=blocks)


@pytest.fixture
def work(monkeypatch):
    """Counts the bodies extracted and the texts tokenized."""
    seen = {"extracted": 0, "tokenized": 0}
    extract, tokenize = documents_module.extract_blocks, Tokenizer.__call__

    def counting_extract(body):
        seen["extracted"] += 1
        return extract(body)

    def counting_tokenize(self, text):
        seen["tokenized"] += 1
        return tokenize(self, text)

    monkeypatch.setattr(documents_module, "extract_blocks", counting_extract)
    monkeypatch.setattr(Tokenizer, "__call__", counting_tokenize)
    return seen


def test_cached_documents_are_the_documents(tmp_path, posts, work):
    boilerplate, expected = uncached(posts)
    cache = TokenCache(str(tmp_path))
    for _ in range(2):  # cold, then warm
        fitted, docs = learn_documents(posts, MAX_CHARS, cache=cache)
        assert docs == expected
        assert fitted.recurring_ == boilerplate.recurring_
    work.update(extracted=0, tokenized=0)
    learn_documents(posts, MAX_CHARS, cache=cache)
    assert work == {"extracted": 0, "tokenized": 0}
    assert learn_documents(posts, MAX_CHARS)[1] == expected  # and without a cache


def test_edits_that_make_an_unchanged_posts_paragraph_boilerplate(tmp_path, posts, work):
    shared = "この段落はいくつもの記事に書き足された定型文です。"

    def adding(indices):
        return [dataclasses.replace(p, body=f"{shared}\n\n{p.body}") if i in indices else p
                for i, p in enumerate(posts)]

    cache = TokenCache(str(tmp_path))
    before = learn_documents(adding({0}), MAX_CHARS, cache=cache)[1]
    edited = adding({0, 3, 6, 9})  # now in enough posts to be boilerplate
    work.update(extracted=0, tokenized=0)
    fitted, docs = learn_documents(edited, MAX_CHARS, cache=cache)
    boilerplate, expected = uncached(edited)
    assert docs == expected
    assert fitted.recurring_ == boilerplate.recurring_
    assert docs[0] != before[0]  # post 0 is unchanged, but loses the paragraph
    assert work["extracted"] == 3  # only the edited bodies; post 0's blocks were cached


@pytest.mark.parametrize("bad_value", [None, "not numbers", "12 x 3"])
def test_corrupt_fingerprints_are_recomputed(tmp_path, posts, work, bad_value):
    _, expected = uncached(posts)
    cache = TokenCache(str(tmp_path))
    learn_documents(posts, MAX_CHARS, cache=cache)
    with sqlite3.connect(tmp_path / CACHE_FILE) as db:
        db.execute("UPDATE fingerprints SET value = ? WHERE hash = ?",
                   (bad_value, body_key(posts[0].body)))
    db.close()
    assert body_key(posts[0].body) not in cache.get_fingerprints([body_key(posts[0].body)])
    assert learn_documents(posts, MAX_CHARS, cache=TokenCache(str(tmp_path)))[1] == expected
    assert body_key(posts[0].body) in cache.get_fingerprints([body_key(posts[0].body)])
