"""Suggestions for one draft or a batch of drafts."""

from __future__ import annotations

from fastapi import APIRouter

from bunrui.classifier import InputError, Post, parse_post
from bunrui.classifier.conform import conform
from bunrui.classifier.taxonomy import Taxonomy

from ..deps import ModelDep, SettingsDep, TaxonomyDep
from ..holder import LoadedModel
from ..schemas import (
    BatchRequest,
    BatchResponse,
    Draft,
    Options,
    Suggestion,
    SuggestRequest,
    error_responses,
)
from ..settings import Settings

router = APIRouter(prefix="/v1", tags=["suggest"])
ERRORS = error_responses(413, 422, 503, invalid="an option out of range")


def _post(draft: Draft, where: str) -> Post:
    # The draft's "path" is the request field it came from, so errors name that field.
    if draft.text is not None:
        return parse_post(draft.text, f"{where}text", require_front_matter=False)
    return Post(path=f"{where}body", title=draft.title or "", body=draft.body or "")


def _answer(model: LoadedModel, posts: list[Post], options: Options, settings: Settings,
            taxonomy: Taxonomy) -> list[dict]:
    explain = settings.explain if options.explain is None else options.explain
    results = model.suggester.suggest_posts(posts, limit=options.limit,
                                            threshold=options.threshold, explain=explain)
    out = []
    for result in results:
        # What `/v1/check` would flag under the same taxonomy is not suggested.
        answer = conform(result, taxonomy).as_dict()
        answer.setdefault("explanations", {"category": {}, "tags": {}, "similar_posts": []})
        out.append(answer)
    return out


# Plain `def`: tokenizing and scoring are CPU work, run in the thread pool.
@router.post("/suggest", response_model=Suggestion, responses=ERRORS,
             summary="Suggest a category and tags for a draft")
def suggest(request: SuggestRequest, model: ModelDep, settings: SettingsDep,
            taxonomy: TaxonomyDep) -> dict:
    return _answer(model, [_post(request, "")], request, settings, taxonomy)[0]


@router.post("/suggest/batch", response_model=BatchResponse, responses=ERRORS,
             summary="Suggest for several drafts, answered in the same order")
def suggest_batch(request: BatchRequest, model: ModelDep, settings: SettingsDep,
                  taxonomy: TaxonomyDep) -> dict:
    if len(request.documents) > settings.max_batch:
        raise InputError(f"at most {settings.max_batch} documents per request, got "
                         f"{len(request.documents)}", path="documents", field="documents")
    posts = [_post(d, f"documents.{i}.") for i, d in enumerate(request.documents)]
    return {"results": _answer(model, posts, request, settings, taxonomy)}
