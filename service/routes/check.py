"""Metadata checks of one posted draft: the findings of `bunrui check --format json`.

Its request and response models live here, beside the route, while the service's other
schemas are in ``schemas.py``: the check endpoint was added by another change and keeps to
its own module so the two can evolve without stepping on each other.
"""

from __future__ import annotations

import os
import re
import threading
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from classifier.check import RULES, Checker, has_errors
from classifier.taxonomy import Taxonomy, resolve_taxonomy

from ..check_output import sort_findings
from ..deps import ModelDep
from ..holder import LoadedModel
from ..schemas import MAX_TEXT_CHARS, NOT_BLANK, ErrorBody, check_text, is_blank

router = APIRouter(prefix="/v1", tags=["check"])

# A file name never holds NUL; the schema says so with this pattern, checked as written.
NO_NUL = r"^[^\x00]*$"


class CheckSettings(BaseSettings):
    """Where the service's taxonomy file is (``BUNRUI_TAXONOMY``); without one the model
    card's labels are the taxonomy."""

    model_config = SettingsConfigDict(env_prefix="BUNRUI_", extra="ignore")

    taxonomy: str | None = Field(None, description="a bunrui.toml for the checks")


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


_cache_lock = threading.Lock()
_taxonomies: dict[tuple, Taxonomy] = {}


def get_check_settings() -> CheckSettings:
    return CheckSettings()


def get_taxonomy(model: ModelDep,
                 settings: Annotated[CheckSettings, Depends(get_check_settings)]) -> Taxonomy:
    """The taxonomy: the configured file, completed by the model card (tests override this).

    Re-read when the file or the model changes, else kept.
    """
    path = settings.taxonomy
    try:
        stamp = os.stat(path).st_mtime_ns if path else None
    except OSError:
        stamp = None
    key = (path, stamp, model.generation, id(model.card))
    with _cache_lock:
        found = _taxonomies.get(key)
    if found is None:
        found = resolve_taxonomy(path, card=model.card)
        with _cache_lock:
            _taxonomies.clear()
            _taxonomies[key] = found
    return found


ERRORS = {
    413: {"model": ErrorBody, "description": "the body is over the size limit"},
    422: {"model": ErrorBody, "description": "malformed JSON, a wrong type, an empty draft, or "
                                             "an unknown rule id; names the field"},
    503: {"model": ErrorBody, "description": "no model is loaded"},
}


# Plain `def`: tokenizing and scoring are CPU work, run in the thread pool.
@router.post("/check", response_model=CheckResponse, responses=ERRORS,
             summary="Check a draft's categories and tags")
def check(request: CheckRequest, model: ModelDep,
          taxonomy: Annotated[Taxonomy, Depends(get_taxonomy)]) -> dict:
    return run_check(request, model, taxonomy)


def run_check(request: CheckRequest, model: LoadedModel, taxonomy: Taxonomy) -> dict:
    path = request.path or "draft.md"
    checker = Checker(taxonomy, model.suggester, rules=request.rules)
    report = checker.check_texts([(path, request.text)])
    findings = report.findings
    return {
        "findings": [f.as_dict() for f in sort_findings(findings)],
        "errors": report.count("error"),
        "warnings": report.count("warning"),
        "notices": report.count("notice"),
        "passed": not has_errors(findings, strict=request.strict),
        "taxonomy": taxonomy.describe(),
    }
