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
    reevaluation_page: int = Field(
        500, ge=1, le=10_000, description="customers per transaction of a re-evaluation job"
    )
    reevaluation_poll_s: float = Field(
        1.0, gt=0, description="how often the re-evaluation worker looks for new jobs"
    )
    activity_retention_days: int = Field(
        400,
        ge=1,
        le=36_500,
        description="activity older than this and than every window of the tenant's rules is "
        "pruned, except what first-activity and inactivity rules read; a tenant with a rule "
        "that counts without a window keeps everything",
    )
    activity_retention_every_h: float = Field(
        6.0, gt=0, le=24 * 30, description="how often the activity retention runs"
    )
    activity_retention_duty: float = Field(
        0.25,
        gt=0,
        le=1,
        description="the share of the time a retention round works: after each page of customers "
        "it rests, so the hot path keeps the database (1: no rest)",
    )

    preview_processes: int = Field(
        2,
        ge=1,
        le=16,
        description="processes a large preview (SPEC 1.9) is split over: one part in the "
        "service's process, the others in spawned processes reading the same snapshot",
    )
    preview_split_at: int = Field(
        200_000, ge=1, description="customers from which a preview is split over processes"
    )

    @field_validator("sweep_at", mode="before")
    @classmethod
    def _off_means_none(cls, value: Any) -> Any:
        return None if value in ("", "off", "none") else value
