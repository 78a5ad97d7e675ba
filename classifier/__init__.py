"""bunrui: learn a blog's categories and tags from its posts and suggest them for drafts."""

from .errors import BunruiError, InputError, ModelError, PostError
from .evaluation import evaluate_folds, evaluate_split, newest_share_date, time_split
from .persistence import load_model, read_card, save_model
from .posts import Corpus, Post, load_corpus, parse_post, read_post
from .suggest import Scored, Suggester, Suggestion
from .tokens import TokenCache, Tokenizer
from .training import TrainingConfig, TrainingReport, train

__all__ = [
    "BunruiError",
    "Corpus",
    "InputError",
    "ModelError",
    "Post",
    "PostError",
    "Scored",
    "Suggester",
    "Suggestion",
    "TokenCache",
    "Tokenizer",
    "TrainingConfig",
    "TrainingReport",
    "evaluate_folds",
    "evaluate_split",
    "load_corpus",
    "load_model",
    "newest_share_date",
    "parse_post",
    "read_card",
    "read_post",
    "save_model",
    "time_split",
    "train",
]
