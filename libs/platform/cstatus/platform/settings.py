"""Typed settings blocks; every setting is an environment variable `CSTATUS_*`.

A service composes these blocks into one settings class of its own, built once at start-up
(so a bad value fails the process before it consumes anything).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cstatus.platform.tenant_scope import TenantScope

__all__ = [
    "DEV_JWT_SECRET",
    "AuthSettings",
    "KafkaSettings",
    "PostgresSettings",
    "RedisSettings",
    "ServiceSettings",
    "TelemetrySettings",
    "TenantScope",
]

DEV_JWT_SECRET = "cstatus-dev-secret-change-me-0123456789"


def _block(prefix: str = "CSTATUS_") -> SettingsConfigDict:
    return SettingsConfigDict(env_prefix=prefix, extra="ignore", frozen=True)


class KafkaSettings(BaseSettings):
    model_config = _block("CSTATUS_KAFKA_")

    bootstrap: str = "127.0.0.1:9092"
    max_tries: int = Field(5, ge=1, le=100, description="tries before a message is dead-lettered")
    retry_backoff_ms: int = Field(200, ge=0, le=60_000)
    batch_max_records: int = Field(
        2_500,
        ge=1,
        le=10_000,
        description="records per consumed batch (one transaction): a batch's decoded events are "
        "most of a consuming process's memory",
    )
    linger_ms: int = Field(
        0,
        ge=0,
        le=1_000,
        description="a producer's wait for more records before it sends (the relays send their "
        "rows as one batch anyway; every ms here is added to each hop of an event)",
    )
    fetch_max_bytes: int = Field(
        50 * 1024 * 1024,
        ge=64 * 1024,
        description="a consumer's most bytes per fetch: what it reads ahead of its handler and "
        "holds in memory",
    )
    max_partition_fetch_bytes: int = Field(
        1024 * 1024, ge=16 * 1024, description="the same per partition"
    )
    poll_ms: int = Field(
        10,
        ge=1,
        le=1_000,
        description="a consumer's wait for records before it looks again (faststream sleeps as "
        "long again after an empty poll, so an idle consumer sees a record within 2 x this)",
    )
    slow_batch_ms: int = Field(
        200,
        ge=0,
        description="a batch slower than this is logged with where its time went (an event's "
        "latency waits for its whole batch, so slow batches are the tail); 0 logs every batch",
    )
    group_prefix: str = Field("", description="prefix of every consumer group (tests, blue/green)")


class PostgresSettings(BaseSettings):
    model_config = _block("CSTATUS_PG_")

    dsn: str = "postgresql://cstatus:cstatus@127.0.0.1:5432/cstatus"
    migration_dsn: SecretStr | None = Field(
        None,
        description="the schema owner's DSN: migrations run as it, and the role of `dsn` gets "
        "only the rights its grants give (least privilege); unset: migrations run as `dsn`",
    )
    migrate_on_start: bool = Field(
        True,
        description="apply the migrations when the service starts; false where a migrations job "
        "applies them (`python -m cstatus.<service> migrate`, the Helm chart's hook): the service "
        "then waits until its schema holds every migration it knows",
    )
    pool_min: int = Field(1, ge=1)
    pool_max: int = Field(10, ge=1)
    read_pool_max: int = Field(
        4, ge=1, description="connections of the pool for hot single-statement reads (checks)"
    )
    command_timeout_s: float = Field(
        30.0, gt=0, le=3600, description="a statement not answered by then fails (and is retried)"
    )
    connect_timeout_s: float = Field(5.0, gt=0, le=120)
    inbox_retention_days: float = Field(
        8.0, gt=0, le=3650, description="inbox rows are kept this long (beyond Kafka's retention)"
    )


class RedisSettings(BaseSettings):
    model_config = _block("CSTATUS_REDIS_")

    url: str = "redis://127.0.0.1:6379/0"
    timeout_s: float = Field(
        0.5, gt=0, le=60, description="a Redis call not answered by then falls back to PostgreSQL"
    )


class AuthSettings(BaseSettings):
    model_config = _block()

    env: Literal["development", "test", "production"] = "development"
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwks_url: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = Field(None, description="expected `iss` (required in production)")
    jwt_leeway_s: int = Field(10, ge=0, le=300)

    @model_validator(mode="after")
    def _production_verifies_rs256_only(self) -> AuthSettings:
        """Production verifies RS256 tokens against a JWKS and never accepts the dev secret; the
        public development secret is accepted only where `CSTATUS_ENV` says `development` or
        `test` explicitly (an unset environment is not taken for a development one)."""
        public_secret = self.jwt_secret.get_secret_value() == DEV_JWT_SECRET
        if "env" not in self.model_fields_set and public_secret and not self.jwks_url:
            raise ValueError(
                "the public development CSTATUS_JWT_SECRET is accepted only with CSTATUS_ENV="
                "development or test set explicitly; set it (make and the tests do), or give "
                "CSTATUS_JWT_SECRET a secret of your own, or CSTATUS_JWKS_URL"
            )
        if self.env != "production":
            return self
        if "jwt_secret" in self.model_fields_set and (
            self.jwt_secret.get_secret_value() == DEV_JWT_SECRET
        ):
            raise ValueError(
                "the development CSTATUS_JWT_SECRET is refused with CSTATUS_ENV=production"
            )
        if not self.jwks_url:
            raise ValueError("CSTATUS_ENV=production needs CSTATUS_JWKS_URL (RS256 via JWKS)")
        if not (self.jwt_issuer and self.jwt_audience):
            raise ValueError(
                "CSTATUS_ENV=production needs CSTATUS_JWT_ISSUER and CSTATUS_JWT_AUDIENCE: "
                "tokens of another issuer or for another audience are refused"
            )
        return self


class TelemetrySettings(BaseSettings):
    model_config = _block()

    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    otel_endpoint: str | None = Field(None, description="OTLP/HTTP endpoint; tracing off if unset")


class ServiceSettings(BaseSettings):
    """The blocks every service has; a service subclasses it and adds its own fields."""

    model_config = _block()

    service_name: str = "cstatus"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    http_reuse_port: bool = Field(
        False, description="bind the port shared (SO_REUSEPORT) with other processes of the service"
    )
    consume: bool = Field(
        True,
        description="consume the service's topics (false: a process that serves HTTP and relays"
        " its outbox but takes no partitions, e.g. checks kept apart from batch work)",
    )
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    tenants: TenantScope = Field(
        default_factory=TenantScope,
        description="every tenant (the default); a shared-broker aid for tests and development",
    )
    postgres: PostgresSettings = Field(default_factory=PostgresSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    telemetry: TelemetrySettings = Field(default_factory=TelemetrySettings)
