"""The committed AsyncAPI and OpenAPI documents of the services (docs/api/) are what the code
serves: a change of a topic, a message or a route without `make schemas` fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

GENERATE = Path(__file__).parents[3] / "docs" / "api" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("api_documents", GENERATE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_documents_are_the_codes() -> None:
    assert _generator().drift() == []


def test_a_document_that_drifted_is_named(tmp_path: Path) -> None:
    generator = _generator()
    for name, text in generator.documents().items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    stale = tmp_path / "assignment.asyncapi.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace("customer-status", "x"), "utf-8")
    (tmp_path / "old.asyncapi.json").write_text("{}", encoding="utf-8")
    assert generator.drift(tmp_path) == [
        "drifted: assignment.asyncapi.json",
        "extra: old.asyncapi.json",
    ]
