"""Replay dead letters: `python -m cstatus.driver.replay TOPIC.dlq [filters] [--dry-run]`.

Reads the dead-letter topic from its beginning (or `--from-offset`) up to its end as it is when
the command starts — never further, so a message dead-lettered again during the replay is not
replayed in a loop — and publishes each selected message's value, with its key and its own
headers, to the topic it came from (`x-dlq-original-topic`). The `x-dlq-*` headers are dropped
and `x-replayed-from: <dlq>:<partition>:<offset>` is added. A message dead-lettered by several
consumer groups is replayed once (its original coordinates are the same). Every consumer
de-duplicates by event id through its inbox, so what was applied before is not applied again.

`--dry-run` prints what would be replayed and sends nothing. Filters: `--group` (the consumer
group that dead-lettered it), `--error-type` (e.g. `ContractError`), `--from-offset`/`--to-offset`.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer

from cstatus.driver.offsets import Offsets
from cstatus.driver.reader import Record, read_between

__all__ = ["Replay", "main", "replay"]

log = logging.getLogger(__name__)
DEFAULT_BOOTSTRAP = "127.0.0.1:9092"


@dataclass(frozen=True, slots=True)
class Replay:
    """What one run did (or, with `dry_run`, would do)."""

    read: int
    selected: int
    replayed: int
    by_target: dict[tuple[str, str], int]
    """(original topic, error type) → messages selected."""


async def _read(
    bootstrap: str, topic: str, from_offset: int, to_offset: int | None
) -> list[Record]:
    async with Offsets(bootstrap) as offsets:
        ends = await offsets.ends([topic])
    if not ends:
        raise SystemExit(f"replay: no topic {topic!r} on {bootstrap}")
    if to_offset is not None:
        ends = {tp: min(end, to_offset + 1) for tp, end in ends.items()}
    return await read_between(bootstrap, dict.fromkeys(ends, from_offset), ends)


async def replay(
    bootstrap: str,
    dlq: str,
    *,
    group: str | None = None,
    error_type: str | None = None,
    from_offset: int = 0,
    to_offset: int | None = None,
    dry_run: bool = False,
    progress_every: int = 1_000,
) -> Replay:
    records = await _read(bootstrap, dlq, from_offset, to_offset)
    chosen: list[tuple[Record, str]] = []
    seen: set[tuple[str | None, ...]] = set()
    by_target: Counter[tuple[str, str]] = Counter()
    for record in records:
        target = record.header("x-dlq-original-topic")
        if target is None:
            log.warning(
                "%s:%d:%d has no x-dlq-original-topic: skipped",
                dlq,
                record.partition,
                record.offset,
            )
            continue
        if group is not None and record.header("x-dlq-consumer-group") != group:
            continue
        kind = record.header("x-dlq-error-type") or "?"
        if error_type is not None and kind != error_type:
            continue
        origin = (
            target,
            record.header("x-dlq-original-partition"),
            record.header("x-dlq-original-offset"),
        )
        if origin in seen:
            continue  # dead-lettered by another group too: once is enough
        seen.add(origin)
        chosen.append((record, target))
        by_target[(target, kind)] += 1
    replayed = 0
    if not dry_run and chosen:
        producer = AIOKafkaProducer(
            bootstrap_servers=bootstrap, acks="all", enable_idempotence=True
        )
        await producer.start()
        try:
            for record, target in chosen:
                headers = [(k, v) for k, v in record.headers.items() if not k.startswith("x-dlq-")]
                headers.append(
                    ("x-replayed-from", f"{dlq}:{record.partition}:{record.offset}".encode())
                )
                await producer.send(target, record.value, key=record.key, headers=headers)
                replayed += 1
                if replayed % progress_every == 0:
                    log.info("replayed %d of %d", replayed, len(chosen))
            await producer.flush()
        finally:
            await producer.stop()
    return Replay(
        read=len(records), selected=len(chosen), replayed=replayed, by_target=dict(by_target)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cstatus.driver.replay",
        description="Publish dead letters again to the topics they came from.",
    )
    parser.add_argument("dlq", help="the dead-letter topic, e.g. bookings.reservations.v1.dlq")
    parser.add_argument(
        "--bootstrap", default=os.environ.get("CSTATUS_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
    )
    parser.add_argument("--group", help="only what this consumer group dead-lettered")
    parser.add_argument(
        "--error-type", help="only dead letters of this error type (x-dlq-error-type)"
    )
    parser.add_argument(
        "--from-offset", type=int, default=0, help="first offset to read, per partition"
    )
    parser.add_argument("--to-offset", type=int, help="last offset to read, per partition")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be replayed; send nothing"
    )
    args = parser.parse_args(argv)
    if not args.dlq.endswith(".dlq"):
        parser.error(f"{args.dlq!r} is not a dead-letter topic (<topic>.dlq)")
    logging.basicConfig(level=logging.INFO, format="[replay] %(message)s", stream=sys.stderr)
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    done = asyncio.run(
        replay(
            args.bootstrap,
            args.dlq,
            group=args.group,
            error_type=args.error_type,
            from_offset=args.from_offset,
            to_offset=args.to_offset,
            dry_run=args.dry_run,
        )
    )
    verb = "would replay" if args.dry_run else "replayed"
    print(
        f"{args.dlq}: read {done.read}, selected {done.selected}, {verb} {done.selected if args.dry_run else done.replayed}"
    )
    for (target, kind), count in sorted(done.by_target.items()):
        print(f"  {count:>6}  → {target}  ({kind})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
