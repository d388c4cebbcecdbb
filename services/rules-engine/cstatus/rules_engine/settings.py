"""Settings of the Rules engine service (`CSTATUS_RULES_ENGINE_*` plus the shared `CSTATUS_*` blocks)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from cstatus.platform.settings import ServiceSettings

__all__ = ["RulesEngineSettings"]


class RulesEngineSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="CSTATUS_RULES_ENGINE_", extra="ignore", frozen=True
    )

    service_name: str = "rules-engine"
    http_port: int = 8083
