"""Migrations expand, then contract a release later: during a rolling upgrade the previous
release's pods run against the new schema, so a migration may add but not take away what they
use (the review found 0003 dropping a table an old pod still wrote to). Destructive statements
live only in files named `NNNN_contract_*.sql`, shipped once no running release uses the object."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
DESTRUCTIVE = re.compile(
    r"\b(DROP\s+(TABLE|COLUMN|VIEW|TYPE|FUNCTION|SCHEMA)"
    r"|RENAME\s+(TO|COLUMN)|ALTER\s+COLUMN\s+\w+\s+(SET\s+DATA\s+)?TYPE"
    r"|ALTER\s+COLUMN\s+\w+\s+SET\s+NOT\s+NULL|^\s*TRUNCATE)\b",
    re.IGNORECASE | re.MULTILINE,
)


def _migrations() -> list[Path]:
    found = sorted(ROOT.glob("services/*/cstatus/*/migrations/*.sql"))
    found += sorted(ROOT.glob("libs/platform/cstatus/platform/db/sql/*.sql"))
    return found


def _statements(path: Path) -> str:
    return "\n".join(line.split("--")[0] for line in path.read_text().splitlines())


def test_there_are_migrations_to_check() -> None:
    assert len(_migrations()) >= 10


@pytest.mark.parametrize("path", _migrations(), ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_only_contract_migrations_take_anything_away(path: Path) -> None:
    found = DESTRUCTIVE.search(_statements(path))
    if "_contract_" in path.name:
        return
    assert found is None, f"{path.name}: '{found.group(0)}' belongs in a _contract_ migration"
