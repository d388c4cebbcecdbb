"""Create the Kafka topics of SPEC §2 that do not exist yet.

Run as a program by `deploy/local/stack.sh up`::

    python -m cstatus.platform.kafka.topics --bootstrap 127.0.0.1:9092
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Iterable, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, KafkaTimeoutError, TopicAlreadyExistsError, for_code

from cstatus.contracts.topics import ALL_TOPICS, TopicSpec

__all__ = ["DEFAULT_BOOTSTRAP", "ensure_topics", "main", "new_topic"]

DEFAULT_BOOTSTRAP = "127.0.0.1:9092"
_REPLICATION_FACTOR = 1
_REQUEST_TIMEOUT_MS = 10_000
_MAX_BACKOFF_S = 2.0

_log = logging.getLogger(__name__)


def new_topic(spec: TopicSpec) -> NewTopic:
    """The admin request for one topic: its partitions, replication 1, compaction if asked."""
    configs = {"cleanup.policy": "compact"} if spec.compacted else {}
    return NewTopic(
        name=spec.name,
        num_partitions=spec.partitions,
        replication_factor=_REPLICATION_FACTOR,
        topic_configs=configs,
    )


class _RetryLaterError(Exception):
    """The broker is not ready yet, or answered with a retriable error."""


async def _create_missing(admin: AIOKafkaAdminClient, specs: Sequence[TopicSpec]) -> list[str]:
    """One attempt: create what is missing; return the names created, raise if not done."""
    existing = set(await admin.list_topics())
    missing = [spec for spec in specs if spec.name not in existing]
    if not missing:
        return []
    response = await admin.create_topics(
        [new_topic(spec) for spec in missing], timeout_ms=_REQUEST_TIMEOUT_MS
    )
    created: list[str] = []
    retry: list[str] = []
    for topic_error in response.topic_errors:
        name, code = str(topic_error[0]), int(topic_error[1])
        message = str(topic_error[2]) if len(topic_error) > 2 and topic_error[2] else ""
        if code == 0:
            created.append(name)
            continue
        error_class: type[KafkaError] = for_code(code)
        if issubclass(error_class, TopicAlreadyExistsError):
            continue  # created by someone else meanwhile
        if error_class.retriable:
            retry.append(f"{name}: {error_class.__name__} {message}".strip())
            continue
        raise error_class(f"could not create topic {name}: {message}")
    if retry:
        raise _RetryLaterError("; ".join(retry))
    return created


async def ensure_topics(
    bootstrap: str,
    specs: Iterable[TopicSpec] = ALL_TOPICS,
    *,
    timeout_s: float = 90.0,
) -> None:
    """Create every topic of `specs` that the cluster at `bootstrap` does not have yet.

    Each topic gets its spec's partition count, replication factor 1 and, when the spec is
    compacted, `cleanup.policy=compact`; topics that already exist are left as they are, and a
    topic created concurrently by someone else (`TopicAlreadyExistsError`) counts as created.
    Until the broker answers, and while it answers with retriable errors, the attempt is
    repeated with a growing pause; after `timeout_s` seconds the last error is raised
    (`TimeoutError`). A non-retriable error (an invalid configuration, say) is raised at once.
    """
    wanted = list(specs)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    backoff = 0.2
    while True:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="cstatus-topics",
            request_timeout_ms=_REQUEST_TIMEOUT_MS,
        )
        try:
            await admin.start()
            created = await _create_missing(admin, wanted)
        except (_RetryLaterError, OSError, TimeoutError) as exc:
            last_error: BaseException = exc
        except KafkaError as exc:
            if not (exc.retriable or isinstance(exc, KafkaTimeoutError)):
                raise
            last_error = exc
        else:
            for name in created:
                _log.info("created topic %s", name)
            _log.info("%d topics present on %s", len(wanted), bootstrap)
            return
        finally:
            await admin.close()
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise TimeoutError(
                f"Kafka at {bootstrap} did not accept the topics within {timeout_s:.0f}s: "
                f"{type(last_error).__name__}: {last_error}"
            ) from last_error
        _log.debug("Kafka not ready yet (%s); retrying", last_error)
        await asyncio.sleep(min(backoff, remaining))
        backoff = min(backoff * 2, _MAX_BACKOFF_S)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: create the missing topics of SPEC §2; exit 1 when that fails."""
    parser = argparse.ArgumentParser(
        prog="python -m cstatus.platform.kafka.topics",
        description="Create the cstatus Kafka topics that do not exist yet.",
    )
    parser.add_argument(
        "--bootstrap",
        default=os.environ.get("CSTATUS_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP),
        help="host:port of a broker (default: $CSTATUS_KAFKA_BOOTSTRAP or %(default)s)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=90.0,
        help="seconds to keep retrying while the broker is not ready (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[topics] %(message)s", stream=sys.stderr)
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    try:
        asyncio.run(ensure_topics(args.bootstrap, timeout_s=args.timeout))
    except (KafkaError, TimeoutError) as exc:
        _log.error("failed: %s: %s", type(exc).__name__, exc)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
