"""Request and response bodies of the HTTP API, the error body and the error statuses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from bunrui.classifier.check import RULES

MAX_LIMIT = 50
MAX_EXPLAIN = 20
# Bounds on every text a request carries, so the schema states them and a client gets a
# 422 naming the field. A draft may be twice the longest post of the allforces blog (48,290
# characters). The bound also keeps each MeCab call short (it holds the GIL throughout:
# 0.35 s per 100,000 characters here) and far from the lengths it crashed on (200,000
# characters of one letter as a title). A title is a line, and the model reads it whole
# (the body is cut to 5,000 characters).
MAX_TEXT_CHARS = 100_000
MAX_TITLE_CHARS = 1_000
# "Not blank": a character that is neither whitespace as Python's str.strip() (and so the
# library) sees it, nor a byte-order mark. Spelled out because `\S` means something else in
# the ECMAScript regexes of JSON Schema (there \x1c-\x1f and \x85 are not spaces); the
# validation uses this very pattern, so the schema and the service cannot disagree.
NOT_BLANK = (r"[^\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f"
             r"\u205f\u3000\ufeff]")
# A file name never holds NUL; the schema says so with this pattern, checked as written.
NO_NUL = r"^[^\x00]*$"


def is_blank(value: str | None) -> bool:
    return value is None or re.search(NOT_BLANK, value) is None


def text_schema(description: str, max_length: int, *, not_blank: bool = False) -> dict:
    schema = {"type": "string", "maxLength": max_length, "description": description}
    if not_blank:
        schema.update(minLength=1, pattern=NOT_BLANK)
    return schema


def check_text(value: str) -> str:
    """A text field's value as the library can use it, or ValueError saying why not."""
    # JSON may carry a lone surrogate ("\ud800") that no tokenizer can encode.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(f"not valid Unicode text (at character {exc.start})") from None
    return value


def _one_form_schema(schema: dict) -> None:
    # What `_one_form` enforces, said in the schema so clients and schemathesis know it:
    # a draft is `text`, or `title`/`body` with at least one of them not blank.
    # (A `false` property schema forbids that key: simpler for generators than `not`.)
    either = [{"required": [name], "properties": {name: {"pattern": NOT_BLANK}}}
              for name in ("title", "body")]
    schema["oneOf"] = [
        {"required": ["text"], "properties": {"title": False, "body": False}},
        {"properties": {"text": False}, "anyOf": either},
    ]
    for name in ("text", "title", "body"):  # left out, not null: there is no default value
        schema["properties"][name].pop("default", None)
    schema["examples"] = [
        {"text": "---\ntitle: \"RAGの検索精度を上げる\"\n---\n\n社内文書の検索に…"},
        {"title": "RAGの検索精度を上げる", "body": "社内文書の検索に…"},
    ]


# Leaving a field out means "not given"; null is refused, as the schema says string.
DraftText = Annotated[str | None, Field(max_length=MAX_TEXT_CHARS), WithJsonSchema(
    text_schema("the whole draft as written", MAX_TEXT_CHARS, not_blank=True))]
DraftTitle = Annotated[str | None, Field(max_length=MAX_TITLE_CHARS), WithJsonSchema(
    text_schema("the draft's title", MAX_TITLE_CHARS))]
DraftBody = Annotated[str | None, Field(max_length=MAX_TEXT_CHARS), WithJsonSchema(
    text_schema("the draft's body (Markdown)", MAX_TEXT_CHARS))]


class Draft(BaseModel):
    """One draft: either `text` (Markdown, front matter optional, or plain text) or
    `title` and `body`. Labels already in the draft's front matter are ignored."""

    # strict: a JSON type other than the schema's (0 for false, "5" for 5) is a 422.
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra=_one_form_schema)

    text: DraftText = None
    title: DraftTitle = None
    body: DraftBody = None

    @field_validator("text", "title", "body", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("must be a string; leave the field out instead of null")
        return value

    @field_validator("text", "title", "body")
    @classmethod
    def _encodable(cls, value: str | None) -> str | None:
        return None if value is None else check_text(value)

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str | None) -> str | None:
        if value is not None and is_blank(value):
            raise ValueError("the draft is empty")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> Draft:
        if self.text is not None and (self.title is not None or self.body is not None):
            raise ValueError("give either 'text' or 'title'/'body', not both")
        if self.text is None:
            if self.title is None and self.body is None:
                raise ValueError("give the draft as 'text', or as 'title' and 'body'")
            if is_blank(self.title) and is_blank(self.body):
                raise ValueError("the draft is empty: 'title' and 'body' are blank")
        return self


def _whole_number(value: object) -> object:
    # JSON Schema counts 2.0 as an integer (it is one); strict validation alone refuses it.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Integers, 2.0 included; never true/false or "2", which the schema does not allow.
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT), BeforeValidator(_whole_number)]
Explain = Annotated[int, Field(ge=0, le=MAX_EXPLAIN), BeforeValidator(_whole_number)]


class Options(BaseModel):
    model_config = ConfigDict(strict=True)

    limit: Limit | None = Field(None,
                                description="suggest at most this many tags (default: the model's)")
    threshold: float | None = Field(
        None, ge=0.0, le=1.0,
        description="suggest tags scoring at least this (default: the model's tuned threshold)")
    explain: Explain | None = Field(None,
                                    description="'why' terms per suggested label (default 5)")


class SuggestRequest(Options, Draft):
    """A draft to suggest a category and tags for."""


class BatchRequest(Options):
    """Several drafts, answered in the same order (at most `max_batch`, default 32)."""

    model_config = ConfigDict(extra="forbid", strict=True)

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


class CheckRequest(BaseModel):
    """A post or draft as written (front matter and body) to check."""

    # strict: a JSON type other than the schema's (0 for false) is a 422.
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": [{
        "text": "---\ntitle: \"RAGの検索精度を上げる\"\ncategories: [投資分析]\n"
                "tags: [RAG, RAG]\n---\n\n社内文書の検索に…",
        "path": "_posts/2026-03-20-rag.md"}]})

    text: str = Field(..., max_length=MAX_TEXT_CHARS,
                      json_schema_extra={"minLength": 1, "pattern": NOT_BLANK},
                      description="the whole file: front matter, then the body")
    path: str | None = Field(None, max_length=1000, json_schema_extra={"pattern": NO_NUL},
                             description="the file's name, echoed in findings (default "
                                         "'draft.md')")
    # The schema lists the rule ids, so a client (and schemathesis) knows which are valid;
    # the validator below gives the friendlier message.
    rules: list[Annotated[str, WithJsonSchema({"type": "string", "enum": list(RULES)})]] | None = (
        Field(None, max_length=len(RULES), description="rule ids to run (default: all)"))
    strict: bool = Field(False, description="count warnings as failing, as --strict does")

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        if is_blank(check_text(value)):
            raise ValueError("the draft is empty")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and not re.search(NO_NUL, check_text(value)):
            raise ValueError("the path holds a NUL character")
        return value

    @field_validator("rules")
    @classmethod
    def _rules(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            unknown = [r for r in value if r not in RULES]
            if unknown:
                raise ValueError(f"unknown rule(s): {', '.join(unknown)}; known: "
                                 f"{', '.join(RULES)}")
        return value


class FixOut(BaseModel):
    description: str
    field: str | None
    index: int | None = Field(description="the label's position in the field's list")
    old: str | None
    new: str | None = Field(description="the label to write; null removes it")
    safe: bool = Field(description="whether `bunrui check --fix` applies it")


class FindingOut(BaseModel):
    """One finding, with the keys of `bunrui check --format json`."""

    rule: str = Field(description="stable rule id, e.g. 'tag-alias'")
    severity: Literal["error", "warning", "notice"]
    path: str
    line: int | None = Field(description="1-based line of the front-matter field")
    field: str | None
    message: str
    fix: FixOut | None


class CheckResponse(BaseModel):
    findings: list[FindingOut]
    errors: int
    warnings: int
    notices: int
    passed: bool = Field(description="no error (and with 'strict', no warning): what exit "
                                     "status 0 means for the command line")
    taxonomy: str = Field(description="where the taxonomy came from")


class FieldError(BaseModel):
    field: str = Field(description="dotted path of the offending field, e.g. 'documents.0.text'")
    message: str


class ErrorBody(BaseModel):
    """Every error answer: a message for people, and the field it is about when known."""

    detail: str
    field: str | None = None
    errors: list[FieldError] = Field(default_factory=list)


def error_body(detail: str, field: str | None = None, errors: list | None = None) -> dict:
    """An ``ErrorBody`` as JSON data: what every error answer carries."""
    return {"detail": detail, "field": field, "errors": errors or []}


_ERROR_STATUSES = {
    401: "missing or wrong admin token",
    413: "the body is over the size limit",
    503: "no model is loaded",
}


def error_responses(*statuses: int, invalid: str = "") -> dict[int, dict]:
    """The OpenAPI ``responses`` of these error statuses; ``invalid`` ends the 422's
    description with what a route's own validation refuses."""
    descriptions = {**_ERROR_STATUSES, 422: f"malformed JSON, a wrong type, an empty draft, "
                                            f"or {invalid}; names the field"}
    return {status: {"model": ErrorBody, "description": descriptions[status]}
            for status in statuses}
