"""Path parameters validated like the contracts' fields, so a malformed id gets 422
problem+json before any work (a customer id with a control character reached the event
envelope's validation and answered 500; found by schemathesis)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from cstatus.contracts.fields import CODE_PATTERN, PRINTABLE_PATTERN

__all__ = ["CodePath", "CodeQuery", "CustomerIdPath", "CustomerIdQuery"]

CustomerIdPath = Annotated[
    str,
    Path(min_length=1, max_length=128, pattern=PRINTABLE_PATTERN, description="the customer's id"),
]
CustomerIdQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=128, pattern=PRINTABLE_PATTERN, description="a customer's id"),
]
CodePath = Annotated[
    str, Path(min_length=1, max_length=64, pattern=CODE_PATTERN, description="a category's code")
]
CodeQuery = Annotated[
    str, Query(min_length=1, max_length=64, pattern=CODE_PATTERN, description="a category's code")
]
