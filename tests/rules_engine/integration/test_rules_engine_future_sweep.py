"""In production, `POST /v1/sweeps` refuses a day after today (422 `as_of_in_future`): the route
itself, with RS256 tokens verified against a JWKS as production does (the review found a sweep
as of 9999-12-30 made mass real changes and moved the tenant's clock for good)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cstatus.platform.settings import (
    AuthSettings,
    KafkaSettings,
    PostgresSettings,
    RedisSettings,
    TenantScope,
)
from cstatus.rules_engine.bootstrap import create_app
from cstatus.rules_engine.settings import RulesEngineSettings

pytestmark = pytest.mark.integration

ISSUER, AUDIENCE = "https://id.example.test/", "cstatus"


@pytest.fixture
def identity_provider() -> Iterator[tuple[str, Any]]:
    """A JWKS on loopback with one RS256 key: (its URL, the private key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**public, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks", key
    finally:
        server.shutdown()
        server.server_close()


async def test_production_refuses_a_sweep_as_of_a_future_day(
    stack: Any, pg_pool: asyncpg.Pool, identity_provider: tuple[str, Any]
) -> None:
    jwks_url, key = identity_provider
    schema = f"t_rules_{uuid.uuid4().hex[:8]}"
    settings = RulesEngineSettings(
        kafka=KafkaSettings(
            bootstrap=stack.kafka_bootstrap,
            group_prefix=f"t{uuid.uuid4().hex[:8]}-",
        ),
        tenants=TenantScope(prefix="re-none-"),
        postgres=PostgresSettings(dsn=stack.pg_dsn),
        redis=RedisSettings(url=stack.redis_url),
        auth=AuthSettings(
            env="production",
            jwks_url=jwks_url,
            jwt_issuer=ISSUER,
            jwt_audience=AUDIENCE,
            jwt_secret="a-production-secret-that-is-not-the-development-one",
        ),
        db_schema=schema,
        sweep_at=None,
    )
    token = jwt.encode(
        {
            "sub": "ops",
            "tenant": "re-prod-acme",
            "roles": ["status:admin"],
            "iss": ISSUER,
            "aud": AUDIENCE,
            "exp": int(time.time()) + 300,
        },
        key,
        algorithm="RS256",
        headers={"kid": "k1"},
    )
    auth = {"Authorization": f"Bearer {token}"}
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                # Attached to Kafka first: a stop during the attachment leaves aiokafka's
                # connections to the garbage collector, which warns in a later test.
                deadline = time.monotonic() + 30
                while (await client.get("/health/ready")).status_code != 200:
                    assert time.monotonic() < deadline, "the engine did not become ready"
                    await asyncio.sleep(0.1)
                soon = datetime.now(UTC).date() + timedelta(days=2)
                for day in ("9999-12-30", soon.isoformat()):
                    refused = await client.post("/v1/sweeps", json={"as_of": day}, headers=auth)
                    assert refused.status_code == 422, refused.text
                    assert refused.json()["code"] == "as_of_in_future"
                today = datetime.now(UTC).date().isoformat()
                done = await client.post("/v1/sweeps", json={"as_of": today}, headers=auth)
                assert done.status_code == 200, done.text
                assert done.json()["as_of"] == today
    finally:
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
