"""The committed JSON Schemas in `schemas/` match the code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cstatus.contracts.registry import EVENT_TYPES
from cstatus.contracts.schemas import check_schemas, find_repo_root, main, render_schemas

pytestmark = pytest.mark.unit

REPO_ROOT = find_repo_root(Path(__file__).resolve().parent)


def test_committed_schemas_match_the_code() -> None:
    assert REPO_ROOT is not None

    problems = check_schemas(REPO_ROOT / "schemas")

    assert problems == [], "schemas/ is out of date; run `make schemas`"


def test_one_schema_per_type_with_its_type_as_const() -> None:
    rendered = render_schemas()

    assert set(rendered) == {f"{t}.json" for t in EVENT_TYPES}
    booked = json.loads(rendered["reservation.booked.json"])
    assert booked["properties"]["type"]["const"] == "reservation.booked"
    assert booked["additionalProperties"] is True  # open content: a tolerant reader
    assert "arrival_date" in booked["$defs"]["ReservationBooked"]["required"]


def test_rendering_is_deterministic() -> None:
    assert render_schemas() == render_schemas()


def test_check_reports_missing_drifted_and_extra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    assert main(["--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "reservation.booked.json").write_text("{}\n")
    (tmp_path / "customer.erased.json").unlink()
    (tmp_path / "old.type.json").write_text("{}\n")

    assert main(["--out", str(tmp_path), "--check"]) == 1

    errors = capsys.readouterr().err
    assert "drifted: reservation.booked.json" in errors
    assert "missing: customer.erased.json" in errors
    assert "extra: old.type.json" in errors
    assert main(["--out", str(tmp_path)]) == 0
    assert check_schemas(tmp_path) == []
