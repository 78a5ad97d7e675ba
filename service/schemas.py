"""Request and response bodies of the HTTP API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

MAX_LIMIT = 50
MAX_EXPLAIN = 20


def _one_form_schema(schema: dict) -> None:
    # What the validators below enforce, said in the schema so clients and schemathesis
    # know it: a draft is `text`, or `title`/`body`, never both.
    schema["oneOf"] = [
        {"required": ["text"]},
        {"anyOf": [{"required": ["title"]}, {"required": ["body"]}],
         "not": {"required": ["text"]}},
    ]
    schema["examples"] = [
        {"text": "---\ntitle: \"RAGの検索精度を上げる\"\n---\n\n社内文書の検索に…"},
        {"title": "RAGの検索精度を上げる", "body": "社内文書の検索に…"},
    ]


class Draft(BaseModel):
    """One draft: either `text` (Markdown, front matter optional, or plain text) or
    `title` and `body`. Labels already in the draft's front matter are ignored."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_one_form_schema)

    # null is accepted as "not given" but not advertised: the schema says string.
    text: Annotated[str | None, WithJsonSchema(
        {"type": "string", "pattern": r"\S", "description": "the whole draft as written"})] = None
    title: Annotated[str | None, WithJsonSchema(
        {"type": "string", "description": "the draft's title"})] = None
    body: Annotated[str | None, WithJsonSchema(
        {"type": "string", "description": "the draft's body (Markdown)"})] = None

    @field_validator("text", "title", "body")
    @classmethod
    def _encodable(cls, value: str | None) -> str | None:
        # JSON may carry a lone surrogate ("\ud800") that no tokenizer can encode.
        if value is not None:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ValueError(f"not valid Unicode text (at character {exc.start})") from None
        return value

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("the draft is empty")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Draft:
        if self.text is not None and (self.title is not None or self.body is not None):
            raise ValueError("give either 'text' or 'title'/'body', not both")
        if self.text is None:
            if self.title is None and self.body is None:
                raise ValueError("give the draft as 'text', or as 'title' and 'body'")
            if not ((self.title or "").strip() or (self.body or "").strip()):
                raise ValueError("the draft is empty: 'title' and 'body' are blank")
        return self


class Options(BaseModel):
    limit: int | None = Field(None, ge=1, le=MAX_LIMIT,
                              description="suggest at most this many tags (default: the model's)")
    threshold: float | None = Field(
        None, ge=0.0, le=1.0,
        description="suggest tags scoring at least this (default: the model's tuned threshold)")
    explain: int | None = Field(None, ge=0, le=MAX_EXPLAIN,
                                description="'why' terms per suggested label (default 5)")


class SuggestRequest(Options, Draft):
    """A draft to suggest a category and tags for."""


class BatchRequest(Options):
    """Several drafts, answered in the same order (at most `max_batch`, default 32)."""

    model_config = ConfigDict(extra="forbid")

    documents: list[Draft] = Field(..., min_length=1)


class Scored(BaseModel):
    label: str
    score: float = Field(description="a probability in [0, 1] (for 'why' terms: a weight)")


class Explanations(BaseModel):
    category: dict[str, list[Scored]] = Field(
        default_factory=dict, description="the suggested category -> its top terms")
    tags: dict[str, list[Scored]] = Field(
        default_factory=dict, description="each suggested tag -> its top terms")
    similar_posts: list[Scored] = Field(
        default_factory=list,
        description="titles of the training posts most like the draft (their tags count in "
                    "the tag scores), with their cosine similarity")


class Suggestion(BaseModel):
    """The same keys as ``bunrui suggest --json``, plus the 'why' terms."""

    category: Scored | None
    categories: list[Scored] = Field(description="every category, best first")
    tags: list[Scored] = Field(description="the suggested tags")
    tag_candidates: list[Scored] = Field(description="the best-scoring tags, suggested or not")
    explanations: Explanations


class BatchResponse(BaseModel):
    results: list[Suggestion]


class LabelCount(BaseModel):
    label: str
    count: int = Field(description="posts the model learned it from")


class Labels(BaseModel):
    categories: list[LabelCount]
    tags: list[LabelCount]
    rare_tags: list[LabelCount] = Field(
        description="tags seen too rarely to learn; never suggested")


class ModelInfo(BaseModel):
    loaded_at: dt.datetime
    generation: int = Field(description="1 for the model loaded at start-up, +1 per reload")
    card: dict[str, Any] = Field(description="the model card (metadata.json)")


class ReloadResult(BaseModel):
    reloaded: bool
    detail: str
    model: ModelInfo | None


class Health(BaseModel):
    status: str


class Ready(BaseModel):
    status: str
    detail: str | None = None


class FieldError(BaseModel):
    field: str = Field(description="dotted path of the offending field, e.g. 'documents.0.text'")
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a message for people, and the field it is about when known."""

    detail: str
    field: str | None = None
    errors: list[FieldError] = Field(default_factory=list)
