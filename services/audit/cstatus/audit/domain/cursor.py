"""Opaque pagination cursors: the position of the last item of a page, base64url-encoded."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from cstatus.audit.domain.changes import Position

__all__ = ["InvalidCursor", "decode_cursor", "encode_cursor"]


class InvalidCursor(ValueError):
    pass


def encode_cursor(position: Position) -> str:
    raw = json.dumps([position.effective_at.isoformat(), position.sequence, position.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Position:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, sequence, row_id = json.loads(raw)
        effective_at = datetime.fromisoformat(at)
        if effective_at.tzinfo is None or not isinstance(sequence, int):
            raise InvalidCursor("cursor is not valid")
        if not isinstance(row_id, int):
            raise InvalidCursor("cursor is not valid")
        return Position(effective_at, sequence, row_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise InvalidCursor("cursor is not valid") from error
