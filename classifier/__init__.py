"""bunrui: learn a blog's categories and tags from its posts and suggest them for drafts."""

from .check import Checker, Finding, Fix
from .check.fixes import fix_files
from .corpus.posts import Corpus, Post, load_corpus, parse_post, read_post
from .errors import BunruiError, FixError, InputError, ModelError, PostError, TaxonomyError
from .model.config import TrainingConfig
from .model.evaluation import (
    evaluate_folds,
    evaluate_rolling,
    evaluate_split,
    newest_share_date,
    time_split,
)
from .model.fitted import TrainingReport
from .model.persistence import load_model, read_card, save_model
from .model.suggest import Scored, Suggester, Suggestion
from .taxonomy import Taxonomy, init_taxonomy, read_taxonomy, resolve_taxonomy
from .text.tokens import TokenCache, Tokenizer

__all__ = [
    "BunruiError",
    "Checker",
    "Corpus",
    "Finding",
    "Fix",
    "FixError",
    "InputError",
    "ModelError",
    "Post",
    "PostError",
    "Scored",
    "Suggester",
    "Suggestion",
    "Taxonomy",
    "TaxonomyError",
    "TokenCache",
    "Tokenizer",
    "TrainingConfig",
    "TrainingReport",
    "evaluate_folds",
    "evaluate_rolling",
    "evaluate_split",
    "fix_files",
    "init_taxonomy",
    "load_corpus",
    "load_model",
    "newest_share_date",
    "parse_post",
    "read_card",
    "read_post",
    "read_taxonomy",
    "resolve_taxonomy",
    "save_model",
    "time_split",
]
