"""bunrui: learn a blog's categories and tags from its posts and suggest them for drafts."""

from .check import Checker, Finding, Fix
from .errors import BunruiError, FixError, InputError, ModelError, PostError, TaxonomyError
from .evaluation import (
    evaluate_folds,
    evaluate_rolling,
    evaluate_split,
    newest_share_date,
    time_split,
)
from .fixes import fix_files
from .persistence import load_model, read_card, save_model
from .posts import Corpus, Post, load_corpus, parse_post, read_post
from .suggest import Scored, Suggester, Suggestion
from .taxonomy import Taxonomy, init_taxonomy, read_taxonomy, resolve_taxonomy
from .tokens import TokenCache, Tokenizer
from .training import TrainingConfig, TrainingReport, train

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
    "train",
]
