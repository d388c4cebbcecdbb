"""Kafka topic names of SPEC §2 and how each is laid out."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL_TOPICS",
    "BOOKINGS_RESERVATIONS",
    "BULK",
    "COMMANDS",
    "CONFIG",
    "CRM_CUSTOMERS",
    "INPUT_TOPICS",
    "OUTLIERS",
    "PAYMENTS",
    "POS_TRANSACTIONS",
    "PROPOSALS",
    "REJECTIONS",
    "SNAPSHOTS",
    "STATUS_CHANGES",
    "TopicSpec",
    "dlq_topic",
]

BOOKINGS_RESERVATIONS = "bookings.reservations.v1"
POS_TRANSACTIONS = "pos.transactions.v1"
PAYMENTS = "payments.v1"
CRM_CUSTOMERS = "crm.customers.v1"
COMMANDS = "customer-status.commands.v1"
STATUS_CHANGES = "customer-status.changes.v1"
SNAPSHOTS = "customer-status.snapshots.v1"
OUTLIERS = "customer-status.outliers.v1"
REJECTIONS = "customer-status.rejections.v1"
CONFIG = "customer-status.config.v1"
PROPOSALS = "customer-status.proposals.v1"
BULK = "customer-status.bulk.v1"
"""Internal to the assignment service: the chunks of its bulk status changes."""


def dlq_topic(topic: str) -> str:
    """The dead-letter topic of an input topic: `<topic>.dlq`."""
    return f"{topic}.dlq"


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name: str
    partitions: int = 6
    compacted: bool = False


# Every topic a service consumes gets a dead-letter topic beside it.
INPUT_TOPICS: tuple[str, ...] = (
    BOOKINGS_RESERVATIONS,
    POS_TRANSACTIONS,
    PAYMENTS,
    CRM_CUSTOMERS,
    COMMANDS,
    PROPOSALS,
    BULK,
    STATUS_CHANGES,
    REJECTIONS,
    CONFIG,
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(BOOKINGS_RESERVATIONS),
    TopicSpec(POS_TRANSACTIONS),
    TopicSpec(PAYMENTS),
    TopicSpec(CRM_CUSTOMERS),
    TopicSpec(COMMANDS),
    TopicSpec(PROPOSALS),
    TopicSpec(BULK),
    TopicSpec(STATUS_CHANGES),
    TopicSpec(SNAPSHOTS, compacted=True),
    TopicSpec(OUTLIERS),
    TopicSpec(REJECTIONS),
    TopicSpec(CONFIG, partitions=1, compacted=True),
    *(TopicSpec(dlq_topic(t), partitions=1) for t in INPUT_TOPICS),
)
