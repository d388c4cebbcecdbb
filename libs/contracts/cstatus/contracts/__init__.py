"""Message contracts of the customer status platform (SPEC §2): envelope, events, commands.

Decode a consumed message with `decode_input(topic, raw)`, or `decode(raw, model)` when the
model is known; build one with `new_event(data, ...)` and `encode` it with `message_key` as
its Kafka key. Topic names live in `cstatus.contracts.topics`.
"""

from cstatus.contracts.bulk import CUSTOMER_STATUS_BULK_CHUNK, BulkChunk
from cstatus.contracts.changes import (
    CUSTOMER_STATUS_CHANGED,
    CUSTOMER_STATUS_WILL_DOWNGRADE,
    Explanation,
    StatusChanged,
    StatusRef,
    WillDowngrade,
)
from cstatus.contracts.commands import (
    COMMAND_EVENTS,
    CUSTOMER_STATUS_ASSIGN,
    CUSTOMER_STATUS_CLEAR,
    AssignStatus,
    ClearStatus,
)
from cstatus.contracts.configuration import CUSTOMER_STATUS_CONFIG, ConfigPublished
from cstatus.contracts.customers import (
    CUSTOMER_CREATED,
    CUSTOMER_ERASED,
    CUSTOMER_EVENTS,
    CUSTOMER_UPDATED,
    CustomerCreated,
    CustomerErased,
    CustomerProfile,
    CustomerUpdated,
)
from cstatus.contracts.envelope import (
    CloudEvent,
    CommandData,
    CommandEvent,
    EventData,
    decode,
    encode,
    envelope_for,
    message_key,
    new_event,
    tenant_key,
)
from cstatus.contracts.errors import ContractError
from cstatus.contracts.fields import ChangeSource, SystemState
from cstatus.contracts.outliers import TRANSACTION_OUTLIER, TransactionOutlier
from cstatus.contracts.payments import (
    INVOICE_CANCELLED,
    INVOICE_ISSUED,
    PAYMENT_CAPTURED,
    PAYMENT_EVENTS,
    PAYMENT_REFUNDED,
    InvoiceCancelled,
    InvoiceIssued,
    PaymentCaptured,
    PaymentRefunded,
)
from cstatus.contracts.proposals import CUSTOMER_STATUS_PROPOSED, StatusProposed
from cstatus.contracts.registry import EVENT_TYPES, EVENTS_BY_TOPIC, decode_input
from cstatus.contracts.rejections import CUSTOMER_STATUS_REJECTED, StatusRejected
from cstatus.contracts.reservations import (
    RESERVATION_ARRIVED,
    RESERVATION_BOOKED,
    RESERVATION_CANCELLED,
    RESERVATION_EVENTS,
    RESERVATION_NO_SHOW,
    ReservationArrived,
    ReservationBooked,
    ReservationCancelled,
    ReservationNoShow,
)
from cstatus.contracts.snapshots import (
    CUSTOMER_STATUS_SNAPSHOT,
    AppointmentLimit,
    CustomerSnapshot,
    HeldStatus,
    RestrictionReason,
    Restrictions,
)
from cstatus.contracts.transactions import (
    COUPON_REDEEMED,
    POINTS_REDEEMED,
    TRANSACTION_COMPLETED,
    TRANSACTION_EVENTS,
    TRANSACTION_REFUNDED,
    CouponRedeemed,
    PointsRedeemed,
    TransactionCompleted,
    TransactionRefunded,
)

__all__ = [
    "COMMAND_EVENTS",
    "COUPON_REDEEMED",
    "CUSTOMER_CREATED",
    "CUSTOMER_ERASED",
    "CUSTOMER_EVENTS",
    "CUSTOMER_STATUS_ASSIGN",
    "CUSTOMER_STATUS_BULK_CHUNK",
    "CUSTOMER_STATUS_CHANGED",
    "CUSTOMER_STATUS_CLEAR",
    "CUSTOMER_STATUS_CONFIG",
    "CUSTOMER_STATUS_PROPOSED",
    "CUSTOMER_STATUS_REJECTED",
    "CUSTOMER_STATUS_SNAPSHOT",
    "CUSTOMER_STATUS_WILL_DOWNGRADE",
    "CUSTOMER_UPDATED",
    "EVENTS_BY_TOPIC",
    "EVENT_TYPES",
    "INVOICE_CANCELLED",
    "INVOICE_ISSUED",
    "PAYMENT_CAPTURED",
    "PAYMENT_EVENTS",
    "PAYMENT_REFUNDED",
    "POINTS_REDEEMED",
    "RESERVATION_ARRIVED",
    "RESERVATION_BOOKED",
    "RESERVATION_CANCELLED",
    "RESERVATION_EVENTS",
    "RESERVATION_NO_SHOW",
    "TRANSACTION_COMPLETED",
    "TRANSACTION_EVENTS",
    "TRANSACTION_OUTLIER",
    "TRANSACTION_REFUNDED",
    "AppointmentLimit",
    "AssignStatus",
    "BulkChunk",
    "ChangeSource",
    "ClearStatus",
    "CloudEvent",
    "CommandData",
    "CommandEvent",
    "ConfigPublished",
    "ContractError",
    "CouponRedeemed",
    "CustomerCreated",
    "CustomerErased",
    "CustomerProfile",
    "CustomerSnapshot",
    "CustomerUpdated",
    "EventData",
    "Explanation",
    "HeldStatus",
    "InvoiceCancelled",
    "InvoiceIssued",
    "PaymentCaptured",
    "PaymentRefunded",
    "PointsRedeemed",
    "ReservationArrived",
    "ReservationBooked",
    "ReservationCancelled",
    "ReservationNoShow",
    "RestrictionReason",
    "Restrictions",
    "StatusChanged",
    "StatusProposed",
    "StatusRef",
    "StatusRejected",
    "SystemState",
    "TransactionCompleted",
    "TransactionOutlier",
    "TransactionRefunded",
    "WillDowngrade",
    "decode",
    "decode_input",
    "encode",
    "envelope_for",
    "message_key",
    "new_event",
    "tenant_key",
]
