"""The faststream Kafka broker of a service, and at-least-once batch subscriptions on it.

faststream's default acknowledgement (ACK_FIRST) commits an offset when the message arrives, i.e.
at-most-once. Subscriptions made here commit only after the handler returned, which happens only
after the work is committed (or the message was dead-lettered); an exception that escapes (a
dependency down, shutdown) seeks the partition back so the batch is delivered again.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Literal

from aiokafka.structs import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from opentelemetry.trace import TracerProvider
from prometheus_client import CollectorRegistry

from cstatus.platform.settings import KafkaSettings

__all__ = ["create_broker", "subscribe_batch"]

Records = Sequence[ConsumerRecord[bytes, bytes]]


def create_broker(
    settings: KafkaSettings,
    *,
    client_id: str,
    registry: CollectorRegistry | None = None,
    tracer_provider: TracerProvider | None = None,
) -> KafkaBroker:
    """A broker with an idempotent producer, trace propagation in headers and Prometheus metrics."""
    middlewares: list[Any] = [KafkaTelemetryMiddleware(tracer_provider=tracer_provider)]
    if registry is not None:
        middlewares.append(KafkaPrometheusMiddleware(registry=registry, app_name=client_id))
    return KafkaBroker(
        settings.bootstrap,
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=settings.linger_ms,
        middlewares=middlewares,
        graceful_timeout=30.0,
        logger=logging.getLogger("cstatus.kafka"),
    )


def _printable(value: bytes) -> bytes:
    try:
        value.decode()
    except UnicodeDecodeError:
        return repr(value).encode()
    return value


def _sanitised(record: ConsumerRecord[bytes, bytes]) -> ConsumerRecord[bytes, bytes]:
    headers = tuple((k, _printable(v)) for k, v in (record.headers or ()))
    return dataclasses.replace(record, headers=headers)


async def _tolerant_parser(
    records: tuple[ConsumerRecord[bytes, bytes], ...], original: Callable[[Any], Awaitable[Any]]
) -> Any:
    """faststream decodes header values as UTF-8; a message with a binary header must not wedge
    its partition, so such values are replaced by their printable form."""
    try:
        return await original(records)
    except UnicodeDecodeError:
        return await original(tuple(_sanitised(r) for r in records))


async def _raw_records(message: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """Hand the handler the records themselves; decoding is the service's (and may fail)."""
    return message.raw_message


def subscribe_batch(
    broker: KafkaBroker,
    *topics: str,
    group_id: str,
    handler: Callable[[Records], Awaitable[None]],
    settings: KafkaSettings,
    auto_offset_reset: Literal["latest", "earliest", "none"] = "earliest",
    max_records: int | None = None,
) -> Any:
    """Subscribe `handler` to batches of raw records of `topics`, committed after it returns."""

    async def on_batch(records: Any) -> None:
        await handler(records)

    on_batch.__name__ = f"{group_id}_batch"
    return broker.subscriber(
        *topics,
        group_id=group_id,
        batch=True,
        max_records=min(max_records or settings.batch_max_records, settings.batch_max_records),
        batch_timeout_ms=settings.poll_ms,
        fetch_max_bytes=settings.fetch_max_bytes,
        max_partition_fetch_bytes=settings.max_partition_fetch_bytes,
        auto_offset_reset=auto_offset_reset,
        ack_policy=AckPolicy.NACK_ON_ERROR,
        parser=_tolerant_parser,
        decoder=_raw_records,
    )(on_batch)
