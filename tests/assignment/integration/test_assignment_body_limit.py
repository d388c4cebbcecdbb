"""Request bodies are limited before authentication (the review found assignment and the rules
engine reading and parsing any body, unauthenticated, without a limit)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

pytestmark = pytest.mark.integration


async def test_a_huge_unauthenticated_body_is_refused_before_anything_reads_it(
    harness: Any,
) -> None:
    h = harness
    declared = await h.client.post(
        "/v1/checks",
        content=b"{" * (10 * 1024 * 1024),
        headers={"content-type": "application/json"},
    )
    assert declared.status_code == 413, declared.text
    assert declared.headers["content-type"].startswith("application/problem+json")
    assert declared.json()["code"] == "body_too_large"

    async def endless() -> AsyncIterator[bytes]:  # no Content-Length: refused once past the limit
        for _ in range(10_000):
            yield b"x" * 1024

    streamed = await h.client.post("/v1/checks", content=endless())
    assert streamed.status_code == 413

    small = await h.client.post("/v1/checks", json={"customer_id": "c", "action": "transact"})
    assert small.status_code == 401  # within the limit: authentication decides
