"""Metadata checks of one posted draft: the findings of `bunrui check --format json`."""

from __future__ import annotations

from fastapi import APIRouter

from bunrui.classifier.check import Checker, has_errors

from ..deps import ModelDep, TaxonomyDep
from ..findings import finding_dicts
from ..schemas import CheckRequest, CheckResponse, error_responses

router = APIRouter(prefix="/v1", tags=["check"])


# Plain `def`: tokenizing and scoring are CPU work, run in the thread pool.
@router.post("/check", response_model=CheckResponse,
             responses=error_responses(413, 422, 503, invalid="an unknown rule id"),
             summary="Check a draft's categories and tags")
def check(request: CheckRequest, model: ModelDep, taxonomy: TaxonomyDep) -> dict:
    checker = Checker(taxonomy, model.suggester, rules=request.rules)
    report = checker.check_texts([(request.path or "draft.md", request.text)])
    return {
        "findings": finding_dicts(report.findings),
        "errors": report.count("error"),
        "warnings": report.count("warning"),
        "notices": report.count("notice"),
        "passed": not has_errors(report.findings, strict=request.strict),
        "taxonomy": taxonomy.describe(),
    }
