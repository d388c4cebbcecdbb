"""Ids of categories and statuses: opaque strings with a readable prefix."""

from __future__ import annotations

import uuid

__all__ = ["new_id"]

_PREFIXES = {"category": "cat", "status": "st"}


def new_id(kind: str) -> str:
    return f"{_PREFIXES[kind]}_{uuid.uuid4().hex}"
