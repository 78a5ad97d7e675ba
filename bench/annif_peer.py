"""Annif 1.4 as the peer of issue 13 (item 6), in a virtual environment of its own.

Never a dependency of bunrui: the first run creates ``~/.cache/bunrui-bench/annif-venv``
(``pip install "annif[omikuji]>=1.4,<1.5"``) and drives Annif there through a small
script run by that environment's Python (``_DRIVER``), which uses Annif's own registry,
vocabulary loader, TSV corpus reader, ``train`` and ``suggest``.

- Text: the reference's lemma documents (``reference.lemma_documents``), read by Annif's
  ``simple(token_min_length=1)`` analyzer so one-character Japanese lemmas survive. Its
  nltk tokenizer asks for ``punkt_tab``, which cannot be downloaded here: empty stub files
  under ``NLTK_DATA`` suffice for space-joined lemmas (../shared/README.md).
- Vocabularies: one for tags, one for categories, as Annif's TSV subject files
  (``<uri>\\tlabel``, language ``ja``); a label's URI is made up from its index.
- Tags: omikuji with its defaults, trained on every tag of the training posts that have
  tags. The threshold is the one that maximizes micro F1 (over the posts with gold tags,
  unknown gold tags counted as misses) on the newest 10% of the training posts
  (``newest_share_date``), suggested by a second model trained on the older 90%.
- Categories: svc with its defaults, on the first category of each training post that has
  one, only when there are at least two distinct ones; the category is svc's best.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Sequence
from pathlib import Path

from reference import Predictions, lemma_documents, trainable_categories

from bunrui.classifier import Post, newest_share_date, time_split

HOME = Path.home() / ".cache" / "bunrui-bench"
VENV = HOME / "annif-venv"
NLTK_DATA = HOME / "nltk_data"
REQUIREMENT = "annif[omikuji]>=1.4,<1.5"
LANGUAGE = "ja"
# Annif's suggest returns at most this many subjects (its default, too).
LIMIT = 100
SPEC_VERSION = "1"

# (project id, backend, vocabulary): tags, tags of the older 90% (for the threshold),
# categories.
PROJECTS = (("tags", "omikuji", "tags"), ("tags-head", "omikuji", "tags"),
            ("categories", "svc", "categories"))


def projects_cfg() -> str:
    """Annif's projects.cfg for the three projects, each with the backend's defaults."""
    return "".join(f"[{project}]\nname={project}\nlanguage={LANGUAGE}\nbackend={backend}\n"
                   f"analyzer=simple(token_min_length=1)\nvocab={vocab}\nlimit={LIMIT}\n\n"
                   for project, backend, vocab in PROJECTS)


# Run by the Annif environment's Python: argv[1] is a job file (JSON).
_DRIVER = r'''
import json, sys, time
from annif.corpus import Document, DocumentFileTSV
from annif.registry import AnnifRegistry
from annif.vocab import VocabFileTSV

job = json.load(open(sys.argv[1], encoding="utf-8"))
registry = AnnifRegistry(job["projects"], job["datadir"], False)
for vocab_id, path in job["vocabs"].items():
    registry.get_vocab(vocab_id).load_vocabulary(VocabFileTSV(path, job["language"]),
                                                  force=True)
out = {}
for step in job["steps"]:
    project = registry.get_project(step["project"])
    start = time.perf_counter()
    project.train(DocumentFileTSV(step["train"], project.subjects), jobs=job["jobs"])
    seconds = time.perf_counter() - start
    with open(step["suggest"], encoding="utf-8") as handle:
        texts = [line.rstrip("\n") for line in handle]
    rows = []
    for i in range(0, len(texts), 64):
        batch = project.suggest([Document(text=t) for t in texts[i:i + 64]])
        for result in batch:
            rows.append([[project.subjects[s.subject_id].uri, s.score] for s in result])
    out[step["project"]] = {"train_seconds": seconds, "suggestions": rows}
with open(job["output"], "w", encoding="utf-8") as handle:
    json.dump(out, handle)
'''


def ensure_venv() -> Path:
    """The Annif environment's Python, created and installed on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        print(f"  creating {VENV} ({REQUIREMENT})", file=sys.stderr)
        venv.create(VENV, with_pip=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", REQUIREMENT], check=True)
    folder = NLTK_DATA / "tokenizers" / "punkt_tab" / "english"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("sent_starters.txt", "abbrev_types.txt", "collocations.tab",
                 "ortho_context.tab"):
        (folder / name).touch()
    return python


def _uri(kind: str, index: int) -> str:
    return f"http://bunrui.invalid/{kind}/{index}"


def _write_vocab(path: Path, kind: str, labels: Sequence[str]) -> None:
    path.write_text("".join(f"<{_uri(kind, i)}>\t{label}\n" for i, label in enumerate(labels)),
                    encoding="utf-8")


def _write_corpus(path: Path, docs: Sequence[str], subjects: Sequence[Sequence[str]],
                  kind: str, index: dict[str, int]) -> None:
    """Annif's TSV document corpus: the text, a tab, the subjects' URIs in angle brackets.
    Documents without a subject teach nothing and are left out."""
    with path.open("w", encoding="utf-8") as handle:
        for doc, labels in zip(docs, subjects, strict=True):
            uris = " ".join(f"<{_uri(kind, index[t])}>" for t in labels if t in index)
            if uris:
                handle.write(f"{doc}\t{uris}\n")


def _write_texts(path: Path, docs: Sequence[str]) -> None:
    path.write_text("".join(f"{d}\n" for d in docs), encoding="utf-8")


def best_threshold(gold: Sequence[Sequence[str]],
                   suggested: Sequence[Sequence[tuple[str, float]]]) -> float:
    """The score threshold with the highest micro F1 over the posts that have gold tags."""
    rows = [(set(g), s) for g, s in zip(gold, suggested, strict=True) if g]
    n_gold = sum(len(g) for g, _ in rows)
    # Every candidate threshold at once: sorted by score, the hits and choices above each.
    scored = sorted(((score, label in g) for g, s in rows for label, score in s), reverse=True)
    best, best_f1, hits = 1.0, -1.0, 0
    for n, (score, hit) in enumerate(scored, start=1):
        hits += hit
        if n < len(scored) and scored[n][0] == score:
            continue  # a threshold takes every suggestion of equal score
        f1 = 2 * hits / (n + n_gold) if n_gold else 0.0
        if f1 > best_f1:
            best, best_f1 = score, f1
    return best


def predict(train_posts: Sequence[Post], test_posts: Sequence[Post],
            n_jobs: int = 2) -> tuple[Predictions, dict]:
    """Train Annif on ``train_posts`` and suggest for ``test_posts``: (predictions, facts
    such as training seconds and the threshold)."""
    python = ensure_venv()
    train_posts = list(train_posts)
    docs = lemma_documents(train_posts + list(test_posts), n_jobs=n_jobs)
    train_docs, test_docs = docs[: len(train_posts)], docs[len(train_posts):]
    tags = sorted({t for p in train_posts for t in p.tags})
    tag_index = {t: i for i, t in enumerate(tags)}
    head_posts, valid_posts = time_split(train_posts, newest_share_date(train_posts, 0.1))
    head_ids = {id(p) for p in head_posts}
    head = [i for i, p in enumerate(train_posts) if id(p) in head_ids]
    valid = [i for i, p in enumerate(train_posts) if id(p) not in head_ids]
    categories = sorted({p.categories[0] for p in train_posts if p.categories})
    with_categories = trainable_categories(train_posts)
    with tempfile.TemporaryDirectory(prefix="bunrui-annif-") as tmp:
        work = Path(tmp)
        (work / "projects.cfg").write_text(projects_cfg(), encoding="utf-8")
        _write_vocab(work / "tags.tsv", "tag", tags)
        _write_vocab(work / "categories.tsv", "category", categories)
        _write_corpus(work / "tags-train.tsv", train_docs, [p.tags for p in train_posts],
                      "tag", tag_index)
        _write_corpus(work / "head-train.tsv", [train_docs[i] for i in head],
                      [train_posts[i].tags for i in head], "tag", tag_index)
        _write_texts(work / "test.txt", test_docs)
        _write_texts(work / "valid.txt", [train_docs[i] for i in valid])
        steps = [{"project": "tags-head", "train": str(work / "head-train.tsv"),
                  "suggest": str(work / "valid.txt")},
                 {"project": "tags", "train": str(work / "tags-train.tsv"),
                  "suggest": str(work / "test.txt")}]
        vocabs = {"tags": str(work / "tags.tsv")}
        if with_categories:
            _write_corpus(work / "categories-train.tsv", train_docs,
                          [p.categories[:1] for p in train_posts], "category",
                          {c: i for i, c in enumerate(categories)})
            steps.append({"project": "categories", "train": str(work / "categories-train.tsv"),
                          "suggest": str(work / "test.txt")})
            vocabs["categories"] = str(work / "categories.tsv")
        job = {"projects": str(work / "projects.cfg"), "datadir": str(work / "data"),
               "vocabs": vocabs, "steps": steps, "jobs": n_jobs, "language": LANGUAGE,
               "output": str(work / "output.json")}
        (work / "job.json").write_text(json.dumps(job), encoding="utf-8")
        (work / "driver.py").write_text(_DRIVER, encoding="utf-8")
        env = {**os.environ, "NLTK_DATA": str(NLTK_DATA)}
        start = time.perf_counter()
        # Annif logs and omikuji draws progress bars: shown only when the driver fails.
        done = subprocess.run([str(python), str(work / "driver.py"), str(work / "job.json")],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, errors="replace")
        if done.returncode:
            sys.stderr.write(done.stderr[-5000:])
            raise RuntimeError(f"the Annif driver failed (exit {done.returncode})")
        wall = time.perf_counter() - start
        out = json.loads((work / "output.json").read_text(encoding="utf-8"))

    def labels(rows: list, names: Sequence[str]) -> list[list[tuple[str, float]]]:
        return [[(names[int(uri.rsplit("/", 1)[1])], float(score)) for uri, score in row]
                for row in rows]

    valid_ranked = labels(out["tags-head"]["suggestions"], tags)
    threshold = best_threshold([train_posts[i].tags for i in valid], valid_ranked)
    ranked = labels(out["tags"]["suggestions"], tags)
    chosen = [[t for t, s in row if s >= threshold] for row in ranked]
    predicted: list[str | None] = [None] * len(test_posts)
    if with_categories:
        predicted = [row[0][0] if row else None
                     for row in labels(out["categories"]["suggestions"], categories)]
    facts = {"tag_threshold": threshold, "wall_seconds": wall,
             "train_seconds": {k: v["train_seconds"] for k, v in out.items()},
             "validation_posts": len(valid), "tags": len(tags)}
    return Predictions(predicted, ranked, chosen), facts
