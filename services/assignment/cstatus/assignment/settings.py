"""Settings of the Assignment service (`CSTATUS_ASSIGNMENT_*` plus the shared `CSTATUS_*` blocks)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cstatus.platform.settings import ServiceSettings

__all__ = ["AssignmentSettings"]


class AssignmentSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CSTATUS_ASSIGNMENT_", extra="ignore", frozen=True)

    service_name: str = "assignment"
    http_port: int = 8082
    db_schema: str = Field(
        "assignment", pattern=r"^[a-z_][a-z0-9_]{0,62}$", description="PostgreSQL schema owned"
    )
    pin_check_interval_s: float = Field(
        1.0, gt=0, le=3600, description="how often pins past their `until` are cleared"
    )
    refs_retention_days: float = Field(
        8.0, gt=0, le=3650, description="outcomes kept for idempotency (commands, proposals, HTTP)"
    )
    approval_ttl_days: float = Field(
        7.0, gt=0, le=365, description="how long a change waiting for four eyes can be approved"
    )
    changes_retention_days: float = Field(
        90.0, gt=0, le=36500, description="this service's copy of the change log (audit keeps all)"
    )
