"""A proposal made with a newer configuration than the assignment service has yet waits for it
instead of being rejected (the review found such a change lost for good: the rules engine does
not propose again what was refused)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from cstatus.contracts import topics
from cstatus.contracts.configuration import CategoryConfig, StatusConfig

pytestmark = pytest.mark.integration

Harness = Any


def _relationship(*codes: str) -> tuple[CategoryConfig, ...]:
    statuses = tuple(
        StatusConfig(
            id=c, code=c, name=c.title(), colour="#336699", priority=10 * n, is_default=n == 0
        )
        for n, c in enumerate(codes)
    )
    return (
        CategoryConfig(
            id="c1",
            code="relationship",
            name="Relationship",
            update_mode="automatic",
            statuses=statuses,
        ),
    )


async def test_a_proposal_from_a_newer_configuration_waits_for_it(harness: Harness) -> None:
    tenant = harness.tenant()
    await harness.configure(tenant, _relationship("lead", "client"), version=1)
    await harness.propose(tenant, "c-1", "relationship", "platinum", config_version=2)
    await harness.propose(tenant, "c-2", "relationship", "nonsense", config_version=1)
    await harness.wait_out(topics.REJECTIONS, tenant, "c-2", 1)  # judged with its own version
    await asyncio.sleep(1.0)
    assert harness.out(topics.REJECTIONS, tenant, "c-1") == []
    assert await harness.status_of(tenant, "c-1", "relationship") != "platinum"

    await harness.configure(tenant, _relationship("lead", "client", "platinum"), version=2)
    await harness.until(lambda: _holds(harness, tenant, "c-1", "platinum"), wait_s=20)
    assert harness.out(topics.REJECTIONS, tenant, "c-1") == []


async def _holds(harness: Harness, tenant: str, customer: str, status: str) -> bool:
    return await harness.status_of(tenant, customer, "relationship") == status
