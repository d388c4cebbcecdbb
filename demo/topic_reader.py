"""Reading what the platform published for the tenant on a topic since the demo started."""

from __future__ import annotations

from typing import TypeVar

from cstatus.contracts.envelope import CloudEvent, decode
from cstatus.contracts.errors import ContractError
from cstatus.driver.offsets import Offsets
from cstatus.driver.reader import read_between
from cstatus.platform.settings import KafkaSettings

__all__ = ["read_since"]

DataT = TypeVar("DataT")


async def read_since(
    topic: str, model: type[CloudEvent[DataT]], tenant: str, since_ms: int
) -> list[CloudEvent[DataT]]:
    """Every message of `tenant` on `topic` written since `since_ms` (epoch ms), up to now.

    No consumer group: every partition is read from that time up to its end offset.
    """
    bootstrap = KafkaSettings().bootstrap
    async with Offsets(bootstrap) as offsets:
        start = await offsets.at_time([topic], since_ms)
        end = await offsets.ends([topic])
    records = await read_between(bootstrap, start, end, key_prefix=f"{tenant}:".encode())
    found: list[CloudEvent[DataT]] = []
    for record in records:
        try:
            event = decode(record.value, model) if record.value is not None else None
        except ContractError:
            continue  # not ours to judge: another producer's message
        if event is not None and event.tenant == tenant:
            found.append(event)
    return found
