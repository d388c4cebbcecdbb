"""`customer-status.bulk.v1` (internal): the chunks of a bulk status change, assignment → assignment.

`POST /v1/bulk-status-changes` records the job and, in the same transaction, enqueues one chunk of
at most 500 customers per message (key `{tenant}:{job_id}`, `subject` = the job id). The service
consumes its own chunks and applies each customer's change as a manual change; `(job_id, chunk)`
counts once, however often the chunk is delivered.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import Actor, Code, CustomerId, Reason, TextId

__all__ = ["BULK_CHUNK_SIZE", "CUSTOMER_STATUS_BULK_CHUNK", "BulkChunk"]

CUSTOMER_STATUS_BULK_CHUNK = "customer_status.bulk_chunk"
BULK_CHUNK_SIZE = 500


class BulkChunk(EventData):
    """Put each of `customer_ids` in `status_code` (`None`: clear it) in `category_code`."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_BULK_CHUNK

    job_id: TextId
    chunk: int = Field(ge=0)
    category_code: Code
    status_code: Code | None
    reason: Reason | None = None
    until: AwareDatetime | None = None
    actor: Actor
    customer_ids: tuple[CustomerId, ...] = Field(min_length=1, max_length=BULK_CHUNK_SIZE)
