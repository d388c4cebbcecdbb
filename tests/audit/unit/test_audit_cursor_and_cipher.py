"""Pagination cursors round-trip and refuse forgeries; sealed values open only in their place."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.exceptions import InvalidTag

from cstatus.audit.adapters.cipher import digest, new_key, open_sealed, seal
from cstatus.audit.domain.changes import Position
from cstatus.audit.domain.cursor import InvalidCursor, decode_cursor, encode_cursor

pytestmark = pytest.mark.unit


def test_a_cursor_round_trips() -> None:
    position = Position(datetime(2026, 1, 1, 12, tzinfo=UTC), 3, 42)
    assert decode_cursor(encode_cursor(position)) == position


@pytest.mark.parametrize(
    "cursor", ["", "nope", "W10", "WyJ4IiwgMSwgMl0", "WyIyMDI2LTAxLTAxIiwxLDJd"]
)
def test_a_forged_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)


def test_sealed_text_opens_with_its_key_and_context_only() -> None:
    key = new_key()
    sealed = seal(key, "Zerubabel", tenant="acme", customer="c1", field="reason")
    assert b"Zerubabel" not in sealed
    assert open_sealed(key, sealed, tenant="acme", customer="c1", field="reason") == "Zerubabel"
    with pytest.raises(InvalidTag):
        open_sealed(key, sealed, tenant="acme", customer="c2", field="reason")
    with pytest.raises(InvalidTag):
        open_sealed(new_key(), sealed, tenant="acme", customer="c1", field="reason")


def test_digest_is_keyed() -> None:
    assert digest(b"k1", "anna") == digest(b"k1", "anna") != digest(b"k2", "anna")
