"""Consumer lag as a Prometheus gauge: end offset minus committed offset, per partition."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from prometheus_client import CollectorRegistry, Gauge

__all__ = ["LagMonitor"]

log = logging.getLogger(__name__)


class LagMonitor:
    def __init__(
        self,
        bootstrap: str,
        groups: dict[str, Iterable[str]],
        registry: CollectorRegistry,
        *,
        interval_s: float = 15.0,
    ) -> None:
        self._bootstrap = bootstrap
        self._groups = {group: tuple(topics) for group, topics in groups.items()}
        self._interval_s = interval_s
        self._gauge = Gauge(
            "cstatus_consumer_lag",
            "messages not yet committed by the consumer group",
            ["group", "topic", "partition"],
            registry=registry,
        )

    async def measure(self, admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> int:
        """Update the gauge once; return the total lag."""
        total = 0
        known = await self._partitions(admin)
        for group, topics in self._groups.items():
            partitions = [tp for topic in topics for tp in known.get(topic, ())]
            if not partitions:
                continue
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            ends = await consumer.end_offsets(partitions)
            for tp in partitions:
                meta = committed.get(tp)
                done = meta.offset if meta is not None and meta.offset >= 0 else 0
                lag = max(0, ends[tp] - done)
                total += lag
                self._gauge.labels(group, tp.topic, str(tp.partition)).set(lag)
        return total

    async def _partitions(self, admin: AIOKafkaAdminClient) -> dict[str, list[TopicPartition]]:
        # The admin client's metadata, not the consumer's: an unsubscribed aiokafka consumer
        # answers `partitions_for_topic` with None.
        names = sorted({topic for topics in self._groups.values() for topic in topics})
        described = await admin.describe_topics(names)
        return {
            d["topic"]: [TopicPartition(d["topic"], p["partition"]) for p in d["partitions"]]
            for d in described
            if not d.get("error_code")
        }

    async def run(self) -> None:
        while True:
            admin = AIOKafkaAdminClient(bootstrap_servers=self._bootstrap)
            consumer = AIOKafkaConsumer(bootstrap_servers=self._bootstrap, enable_auto_commit=False)
            try:
                await admin.start()
                await consumer.start()
                while True:
                    await self.measure(admin, consumer)
                    await asyncio.sleep(self._interval_s)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                log.warning("consumer lag not measured: %r", error)
                await asyncio.sleep(self._interval_s)
            finally:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(consumer.stop(), 5)
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(admin.close(), 5)
