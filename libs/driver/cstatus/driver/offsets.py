"""Kafka offsets: end offsets of topics, committed offsets of consumer groups, waiting until
groups have committed up to a snapshot of the end offsets (how a driver knows work is done), and
placing new groups at the end of their topics (so they skip what a shared broker already holds)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from types import TracebackType

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from cstatus.contracts import topics

__all__ = ["ALL_GROUPS", "GROUPS", "Offsets", "Progress"]

GROUPS: Mapping[str, tuple[str, ...]] = {
    "rules-engine": (
        topics.BOOKINGS_RESERVATIONS,
        topics.POS_TRANSACTIONS,
        topics.PAYMENTS,
        topics.CRM_CUSTOMERS,
        topics.CONFIG,
        topics.STATUS_CHANGES,
    ),
    "assignment": (topics.CRM_CUSTOMERS, topics.BOOKINGS_RESERVATIONS),
    "assignment-decisions": (topics.PROPOSALS, topics.COMMANDS, topics.CONFIG),
}
"""The consumer groups of the event pipeline (`CONSUMER` and `TOPICS` in each service's
entrypoints/kafka.py, without a group prefix) and the topics they read."""

ALL_GROUPS: Mapping[str, tuple[str, ...]] = {
    **GROUPS,
    "assignment-bulk": (topics.BULK,),
    "audit": (topics.STATUS_CHANGES, topics.REJECTIONS, topics.CRM_CUSTOMERS),
}
"""Every consumer group of the four services (the pipeline's, bulk chunks and the audit log)."""

Progress = dict[TopicPartition, int]


class Offsets:
    """An admin client and a group-less consumer, for reading offsets."""

    def __init__(self, bootstrap: str) -> None:
        self._bootstrap = bootstrap
        self._admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self._partitions: dict[str, list[TopicPartition]] = {}

    async def __aenter__(self) -> Offsets:
        await self._admin.start()
        await self._consumer.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._consumer.stop()
        await self._admin.close()

    async def partitions(self, names: Sequence[str]) -> list[TopicPartition]:
        """The topics' partitions (described once; the bench never repartitions)."""
        missing = [name for name in names if name not in self._partitions]
        if missing:
            for topic in await self._admin.describe_topics(missing):
                found = sorted(p["partition"] for p in topic["partitions"])
                self._partitions[topic["topic"]] = [
                    TopicPartition(topic["topic"], p) for p in found
                ]
        return [tp for name in names for tp in self._partitions.get(name, ())]

    async def ends(self, names: Sequence[str]) -> Progress:
        parts = await self.partitions(names)
        found: Progress = await self._consumer.end_offsets(parts)
        return found

    async def committed(self, group: str, names: Sequence[str]) -> Progress:
        parts = await self.partitions(names)
        found = await self._admin.list_consumer_group_offsets(group, partitions=parts)
        return {tp: max(0, meta.offset) if meta else 0 for tp, meta in found.items()}

    async def at_time(self, names: Sequence[str], since_ms: int) -> Progress:
        """Per partition, the first offset written at or after `since_ms` (epoch ms); the end
        offset where nothing was written since."""
        parts = await self.partitions(names)
        ends = await self._consumer.end_offsets(parts)
        found = await self._consumer.offsets_for_times({tp: since_ms for tp in parts})
        return {tp: found[tp].offset if found.get(tp) else ends[tp] for tp in parts}

    async def place_at_end(self, groups: Mapping[str, Sequence[str]]) -> None:
        """Commit each (new) group at the current end of its topics, so a service started with it
        reads only what is published from now on."""
        for group, names in groups.items():
            ends = await self.ends(names)
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap, group_id=group, enable_auto_commit=False
            )
            await consumer.start()
            try:
                consumer.assign(list(ends))
                await consumer.commit(dict(ends))
            finally:
                await consumer.stop()

    async def lag(self, group: str, target: Progress) -> int:
        """How many records of `target` the group has not committed yet."""
        done = await self.committed(group, sorted({tp.topic for tp in target}))
        return sum(max(0, end - done.get(tp, 0)) for tp, end in target.items())

    async def wait_groups(
        self,
        groups: Mapping[str, Sequence[str]],
        *,
        timeout_s: float,
        poll_s: float = 0.05,
    ) -> float:
        """Snapshot the end offsets of each group's topics now, then wait until every group has
        committed up to them; returns the monotonic time when that was seen."""
        targets = {group: await self.ends(names) for group, names in groups.items()}
        deadline = time.monotonic() + timeout_s
        while True:
            lags = {group: await self.lag(group, target) for group, target in targets.items()}
            if not any(lags.values()):
                return time.monotonic()
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer groups still behind after {timeout_s:.0f}s: {lags}")
            await asyncio.sleep(poll_s)

    async def settle(
        self,
        *,
        timeout_s: float,
        quiet_s: float = 1.0,
        groups: Mapping[str, Sequence[str]] = GROUPS,
    ) -> bool:
        """Wait until the services have consumed everything, including what their own outboxes
        published meanwhile (proposals → changes → ...): the end offsets stop moving. False if
        they kept moving (other traffic on the shared topics) until `timeout_s`."""
        deadline = time.monotonic() + timeout_s
        every = sorted({name for names in groups.values() for name in names})
        while time.monotonic() < deadline:
            before = await self.ends(every)
            await self.wait_groups(groups, timeout_s=max(1.0, deadline - time.monotonic()))
            await asyncio.sleep(quiet_s)
            if await self.ends(every) == before:
                return True
        return False
