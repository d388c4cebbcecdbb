"""faststream through the real broker: trace context in headers, at-least-once, dead letters."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaMessage
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel, ConfigDict

from cstatus.platform.kafka.broker import create_broker, subscribe_batch
from cstatus.platform.kafka.consumer import Decoded, ReliableBatchConsumer
from cstatus.platform.kafka.dead_letters import DeadLetters
from cstatus.platform.kafka.producer import KafkaProducer
from cstatus.platform.settings import KafkaSettings

pytestmark = pytest.mark.integration


class Ping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    n: int


async def _wait_for(predicate: Any, timeout_s: float = 30) -> None:
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.05)


async def test_trace_context_travels_in_the_headers(stack: Any, new_topic: Any) -> None:
    topic = await new_topic(with_dlq=False)
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    broker = create_broker(
        KafkaSettings(bootstrap=stack.kafka_bootstrap), client_id="t", tracer_provider=provider
    )
    received: list[tuple[dict[str, Any], Ping]] = []

    @broker.subscriber(topic, group_id="trace-test", auto_offset_reset="earliest")
    async def on_ping(body: Ping, message: KafkaMessage) -> None:
        received.append((dict(message.headers), body))

    async with broker:
        await broker.start()
        await broker.publish(Ping(n=7), topic, key=b"k")
        await _wait_for(lambda: received)

    headers, body = received[0]
    assert body == Ping(n=7)
    assert "traceparent" in headers
    trace_id = headers["traceparent"].split("-")[1]
    spans = exporter.get_finished_spans()
    kinds = {span.kind.name for span in spans}
    assert {"PRODUCER", "CONSUMER"} <= kinds
    assert {format(span.context.trace_id, "032x") for span in spans} == {trace_id}


async def _dead_letters(bootstrap: str, topic: str, expected: int) -> list[Any]:
    consumer = AIOKafkaConsumer(
        f"{topic}.dlq", bootstrap_servers=bootstrap, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[Any] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < expected:
                for part in (await consumer.getmany(timeout_ms=500)).values():
                    found.extend(part)
    finally:
        await consumer.stop()
    return found


async def test_poison_messages_are_dead_lettered_and_the_partition_moves_on(
    stack: Any, new_topic: Any
) -> None:
    topic = await new_topic(partitions=1)
    settings = KafkaSettings(bootstrap=stack.kafka_bootstrap)
    producer = KafkaProducer(settings, client_id="t")
    processed: list[int] = []
    attempts: dict[int, int] = {}

    async def handle(batch: Sequence[Decoded[Ping]]) -> None:
        for item in batch:
            if len(batch) == 1:  # a failing batch is split; count the tries of each message alone
                attempts[item.value.n] = attempts.get(item.value.n, 0) + 1
            if item.value.n == 13:
                raise ValueError("thirteen is unlucky")
        processed.extend(item.value.n for item in batch)

    def decode(record: ConsumerRecord[bytes, bytes]) -> Ping:
        return Ping.model_validate_json(record.value)

    consumer = ReliableBatchConsumer(
        decode=decode,
        handle=handle,
        dead_letters=DeadLetters(producer, group="dlq-test"),
        max_tries=3,
        backoff_s=0.01,
    )
    broker = create_broker(settings, client_id="t")
    subscribe_batch(broker, topic, group_id="dlq-test", handler=consumer, settings=settings)

    raw = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await raw.start()
    for value in (b'{"n": 1}', b"not json at all", b'{"n": "two"}', b'{"n": 13}', b'{"n": 4}'):
        await raw.send_and_wait(topic, value, key=b"k")
    await raw.stop()

    await producer.start()
    async with broker:
        await broker.start()
        await _wait_for(lambda: 4 in processed)
    await producer.stop()

    assert processed == [1, 4]
    assert attempts[13] == 3
    letters = await _dead_letters(stack.kafka_bootstrap, topic, expected=3)
    by_value = {r.value: {k: v.decode() for k, v in r.headers} for r in letters}
    assert set(by_value) == {b"not json at all", b'{"n": "two"}', b'{"n": 13}'}
    assert "json" in by_value[b"not json at all"]["x-dlq-error"].lower()
    assert "n" in by_value[b'{"n": "two"}']["x-dlq-error"]
    assert by_value[b'{"n": 13}']["x-dlq-error"] == "ValueError: thirteen is unlucky"
    assert by_value[b'{"n": 13}']["x-dlq-tries"] == "3"
    for headers in by_value.values():
        assert headers["x-dlq-original-topic"] == topic
        assert headers["x-dlq-original-partition"] == "0"
    assert [by_value[v]["x-dlq-original-offset"] for v in (b"not json at all", b'{"n": 13}')] == [
        "1",
        "3",
    ]


async def _committed(bootstrap: str, group: str, topic: str) -> int | None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(
            group, partitions=[TopicPartition(topic, 0)]
        )
    finally:
        await admin.close()
    meta = offsets.get(TopicPartition(topic, 0))
    return None if meta is None or meta.offset < 0 else int(meta.offset)


async def test_offsets_are_committed_only_after_the_work(stack: Any, new_topic: Any) -> None:
    """While the handler works the group has committed nothing; a transient failure (a dependency
    down) gets the batch again; once the work is done the offset moves past it."""
    topic = await new_topic(partitions=1)
    settings = KafkaSettings(bootstrap=stack.kafka_bootstrap)
    producer = KafkaProducer(settings, client_id="t")
    seen: list[int] = []
    failures = {"left": 2}
    working, release = asyncio.Event(), asyncio.Event()

    async def handle(batch: Sequence[Decoded[Ping]]) -> None:
        working.set()
        await release.wait()
        if failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("database unreachable")
        seen.extend(item.value.n for item in batch)

    consumer = ReliableBatchConsumer(
        decode=lambda r: Ping.model_validate_json(r.value),
        handle=handle,
        dead_letters=DeadLetters(producer, group="alo-test"),
        backoff_s=0.01,
    )
    raw = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await raw.start()
    for n in range(5):
        await raw.send_and_wait(topic, json.dumps({"n": n}).encode(), key=b"k")
    await raw.stop()

    broker = create_broker(settings, client_id="t")
    subscribe_batch(broker, topic, group_id="alo-test", handler=consumer, settings=settings)
    await producer.start()
    async with broker:
        await broker.start()
        await _wait_for(working.is_set)
        await asyncio.sleep(1.0)
        assert await _committed(stack.kafka_bootstrap, "alo-test", topic) is None
        release.set()
        await _wait_for(lambda: len(seen) >= 5)
        await asyncio.sleep(0.5)
        assert await _committed(stack.kafka_bootstrap, "alo-test", topic) == 5
    await producer.stop()
    assert seen == [0, 1, 2, 3, 4]
