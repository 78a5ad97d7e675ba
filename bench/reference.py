"""The reference of issue 13 (item 6), exactly: TF-IDF over UniDic lemmas and LinearSVC.

Independent of bunrui's own extraction and tokenizer; it shares only the post reader
(``load_corpus``) and ``bounded`` (MeCab crashes on a huge run of letters).

- Text: the title three times, then the whole body with fenced code blocks, HTML comments
  and tags, Liquid tags (``{% ... %}``, also dropped: template code, not prose) and URLs
  removed; NFKC, lowercased; then ``bounded`` (at most 100,000 characters, runs of one
  character class over 64 cut).
- Tokens: MeCab with unidic-lite; nouns, verbs, adjectives and adjectival nouns (POS1
  名詞/動詞/形容詞/形状詞), numerals (POS2 数詞) and 非自立可能 words dropped; the lemma
  (field 7), or the surface where it is empty or ``*`` (unknown words). UniDic writes a
  loanword's lemma with its origin (``エージェント-agent``): the suffix is cut, so the
  lemma is ``エージェント``. Lemmas are lowercased too: UniDic's lemma of an ASCII word can
  carry capitals the lowercased text did not have.
- ``TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.95)`` over those lemmas.
- Category: ``LinearSVC(C=0.5, class_weight="balanced")`` on the first category of the
  training posts that have one, only when they carry at least two distinct categories.
- Tags used at least twice in the training posts: one-vs-rest ``LinearSVC(C=0.5)``;
  ranked by decision value, suggested where it is > 0.

liblinear visits samples in a random order: ``random_state=0`` so that runs agree.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import fugashi
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer
from sklearn.svm import LinearSVC

from bunrui.classifier import Post
from bunrui.classifier.text.tokens import bounded

# Bump when the text, the tokens or the models change: cached predictions are keyed by it.
SPEC_VERSION = "1"
LEMMA_CACHE = Path.home() / ".cache" / "bunrui-bench" / "suite" / f"lemmas-v{SPEC_VERSION}"

_FENCED = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_LIQUID = re.compile(r"\{%.*?%\}", re.S)
_URL = re.compile(r"(?:https?|ftp)://[^\s<>()\[\]\"']+|www\.[^\s<>()\[\]\"']+")

# Surface, POS1, POS2, lemma. -O "" clears unidic-lite's own output format.
_TAGGER_ARGS = r'-O "" -F "%m\t%f[0]\t%f[1]\t%f[7]\n" -U "%m\t%f[0]\t%f[1]\t*\n" -E ""'
_POS1 = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
_DROP_POS2 = frozenset({"数詞", "非自立可能"})


def text_of(post: Post) -> str:
    """The text the reference reads: title x3 and the cleaned body, NFKC, lowercased."""
    body = _FENCED.sub("\n", post.body)
    body = _HTML_COMMENT.sub(" ", body)
    body = _LIQUID.sub(" ", body)
    body = _HTML_TAG.sub(" ", body)
    body = _URL.sub(" ", body)
    title = post.title or ""
    return bounded("\n".join([title, title, title, body])).lower()


_tagger: fugashi.Tagger | None = None


def lemmas(text: str) -> list[str]:
    """The content-word lemmas of ``text`` (already cleaned and bounded)."""
    global _tagger
    if _tagger is None:
        _tagger = fugashi.Tagger(_TAGGER_ARGS)
    out = []
    for line in _tagger.parse(text).split("\n"):
        fields = line.split("\t")
        if len(fields) == 3:  # fugashi strips the output's end, and an empty last field
            fields.append("")
        if len(fields) != 4 or fields[1] not in _POS1 or fields[2] in _DROP_POS2:
            continue
        surface, _, _, lemma = fields
        word = lemma.partition("-")[0] if lemma and lemma != "*" else ""
        out.append((word or surface).lower())
    return out


def _document(text: str) -> str:
    return " ".join(lemmas(text))


def _key(text: str) -> str:
    return hashlib.blake2b(f"{SPEC_VERSION}\0{text}".encode("utf-8", "surrogatepass"),
                           digest_size=16).hexdigest()


def lemma_documents(posts: Sequence[Post], n_jobs: int = 2) -> list[str]:
    """Each post's lemmas, space-joined (what Annif reads too), cached by text."""
    texts = [text_of(p) for p in posts]
    keys = [_key(t) for t in texts]
    cache = _load_cache()
    todo = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in cache}.items())
    if todo:
        if n_jobs > 1 and len(todo) > 20:
            with ProcessPoolExecutor(n_jobs) as pool:
                docs = list(pool.map(_document, [t for _, t in todo], chunksize=16))
        else:
            docs = [_document(t) for _, t in todo]
        cache.update(zip([k for k, _ in todo], docs, strict=True))
        _save_cache(cache)
    return [cache[k] for k in keys]


def _load_cache() -> dict[str, str]:
    try:
        return json.loads(LEMMA_CACHE.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _save_cache(cache: dict[str, str]) -> None:
    path = LEMMA_CACHE.with_suffix(".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(f".{os.getpid()}.tmp")
    temp.write_text(json.dumps(cache, ensure_ascii=False), encoding="utf-8")
    temp.replace(path)


@dataclass
class Predictions:
    """Per test post: the category (None without a category model), tags ranked best
    first with their scores, and the tags suggested."""

    categories: list[str | None]
    ranked: list[list[tuple[str, float]]]
    chosen: list[list[str]]

    def as_dict(self) -> dict:
        return {"categories": self.categories, "ranked": self.ranked, "chosen": self.chosen}

    @classmethod
    def from_dict(cls, data: dict) -> Predictions:
        return cls(data["categories"], [[(t, s) for t, s in row] for row in data["ranked"]],
                   data["chosen"])


def trainable_categories(posts: Sequence[Post]) -> bool:
    """A category model is worth training: at least two distinct first categories."""
    return len({p.categories[0] for p in posts if p.categories}) >= 2


def predict(train_posts: Sequence[Post], test_posts: Sequence[Post],
            n_jobs: int = 2) -> Predictions:
    """Fit the reference on ``train_posts`` and predict for ``test_posts``."""
    docs = lemma_documents(list(train_posts) + list(test_posts), n_jobs=n_jobs)
    train_docs, test_docs = docs[: len(train_posts)], docs[len(train_posts):]
    # The documents are space-joined lemmas: split on spaces only, keep every token.
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.95,
                                 tokenizer=str.split, token_pattern=None, lowercase=False)
    X, Xt = vectorizer.fit_transform(train_docs), vectorizer.transform(test_docs)
    categories: list[str | None] = [None] * len(test_posts)
    if trainable_categories(train_posts):
        labelled = [i for i, p in enumerate(train_posts) if p.categories]
        svc = LinearSVC(C=0.5, class_weight="balanced", random_state=0)
        svc.fit(X[labelled], [train_posts[i].categories[0] for i in labelled])
        categories = [str(c) for c in svc.predict(Xt)]
    binarizer = MultiLabelBinarizer()
    Y = binarizer.fit_transform([p.tags for p in train_posts])
    keep = np.flatnonzero(Y.sum(axis=0) >= 2)
    labels = binarizer.classes_[keep]
    # One process: liblinear is quick here, and joblib's worker pool clashes with the
    # one bunrui's training keeps when both run in the same process.
    ovr = OneVsRestClassifier(LinearSVC(C=0.5, random_state=0))
    scores = ovr.fit(X, Y[:, keep]).decision_function(Xt).reshape(len(test_posts), -1)
    ranked, chosen = [], []
    for row in scores:
        order = np.argsort(-row, kind="stable")
        ranked.append([(str(labels[k]), float(row[k])) for k in order])
        chosen.append([str(labels[k]) for k in order if row[k] > 0])
    return Predictions(categories, ranked, chosen)
