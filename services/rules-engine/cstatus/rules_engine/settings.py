"""Settings of the Rules engine service (`CSTATUS_RULES_ENGINE_*` plus the shared `CSTATUS_*` blocks)."""

from __future__ import annotations

from datetime import time
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from cstatus.platform.settings import ServiceSettings

__all__ = ["RulesEngineSettings"]


class RulesEngineSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="CSTATUS_RULES_ENGINE_", extra="ignore", frozen=True
    )

    service_name: str = "rules-engine"
    http_port: int = 8083
    db_schema: str = Field("rules", pattern=r"^[a-z_][a-z0-9_]{0,62}$")
    sweep_at: time | None = Field(
        time(3, 0), description="UTC time of day of the daily sweep (HH:MM); `off`: no timer"
    )
    velocity_redis: bool = Field(
        True, description="keep velocity windows in Redis (false: measure from PostgreSQL only)"
    )
    velocity_ttl_s: int = Field(
        2 * 24 * 3600, ge=60, description="idle time after which a Redis velocity window expires"
    )
    velocity_timeout_s: float = Field(
        0.5, gt=0, description="longest wait for Redis before deciding from PostgreSQL"
    )
    velocity_retry_after_s: float = Field(
        5.0, ge=0, description="how long Redis is left alone after it failed"
    )
    reevaluation_page: int = Field(
        500, ge=1, le=10_000, description="customers per transaction of a re-evaluation job"
    )
    reevaluation_poll_s: float = Field(
        1.0, gt=0, description="how often the re-evaluation worker looks for new jobs"
    )

    @field_validator("sweep_at", mode="before")
    @classmethod
    def _off_means_none(cls, value: Any) -> Any:
        return None if value in ("", "off", "none") else value
