"""`customer-status.config.v1` (compacted, key = tenant): a tenant's full configuration.

The status-config service owns the shape of `config`; here it is any JSON object. The
envelope's `subject` is the tenant.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, JsonValue

from cstatus.contracts.envelope import EventData
from cstatus.contracts.fields import TenantId

__all__ = ["CUSTOMER_STATUS_CONFIG", "ConfigPublished"]

CUSTOMER_STATUS_CONFIG = "customer_status.config"


class ConfigPublished(EventData):
    """Version `version` of `tenant`'s configuration document; a higher version supersedes."""

    event_type: ClassVar[str] = CUSTOMER_STATUS_CONFIG

    tenant: TenantId
    version: int = Field(ge=1)
    config: dict[str, JsonValue]
