"""The consumer-lag gauge against the real broker: end offsets minus what a group committed."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import OffsetAndMetadata
from prometheus_client import CollectorRegistry

from cstatus.platform.kafka.lag import LagMonitor

pytestmark = pytest.mark.integration


async def test_lag_is_what_the_group_has_not_committed(stack: Any, new_topic: Any) -> None:
    topic = await new_topic(partitions=2, with_dlq=False)
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    try:
        for n in range(5):
            await producer.send_and_wait(topic, b"x", partition=n % 2)  # 3 on p0, 2 on p1
    finally:
        await producer.stop()
    group = f"lag-{topic}"
    committer = AIOKafkaConsumer(
        bootstrap_servers=stack.kafka_bootstrap, group_id=group, enable_auto_commit=False
    )
    await committer.start()
    try:
        committer.assign([TopicPartition(topic, 0)])
        await committer.commit({TopicPartition(topic, 0): OffsetAndMetadata(2, "")})
    finally:
        await committer.stop()

    registry = CollectorRegistry()
    monitor = LagMonitor(stack.kafka_bootstrap, {group: [topic]}, registry)
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.kafka_bootstrap)
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, enable_auto_commit=False)
    await admin.start()
    await consumer.start()
    try:
        total = await monitor.measure(admin, consumer)
    finally:
        await consumer.stop()
        await admin.close()

    assert total == 1 + 2
    labels = {"group": group, "topic": topic}
    assert registry.get_sample_value("cstatus_consumer_lag", {**labels, "partition": "0"}) == 1
    assert registry.get_sample_value("cstatus_consumer_lag", {**labels, "partition": "1"}) == 2
