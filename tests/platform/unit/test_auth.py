"""JWT authentication and roles, answered as problem+json."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from cstatus.platform.http.auth import (
    TENANT_HEADER,
    Authenticator,
    Principal,
    issue_dev_token,
    require_roles,
)
from cstatus.platform.http.problem import PROBLEM_JSON, Problem, install_problem_handlers
from cstatus.platform.settings import DEV_JWT_SECRET, AuthSettings

pytestmark = pytest.mark.unit


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    authenticate = Authenticator(AuthSettings(env="test"))
    admin = require_roles(authenticate, "status:admin")

    @app.get("/v1/thing")
    async def thing(principal: Principal = Depends(admin)) -> dict[str, str]:
        return {"tenant": principal.tenant, "sub": principal.subject}

    return app


async def _get(token: str | None, headers: dict[str, str] | None = None) -> httpx.Response:
    sent = dict(headers or {})
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/v1/thing", headers=sent)


def _token(**overrides: object) -> str:
    claims: dict[str, object] = {
        "sub": "u1",
        "tenant": "acme",
        "roles": ["status:admin"],
        "exp": int(time.time()) + 60,
    }
    claims.update(overrides)
    return jwt.encode(claims, DEV_JWT_SECRET, algorithm="HS256")


def _assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return dict(body)


async def test_a_valid_token_passes_with_its_tenant() -> None:
    response = await _get(issue_dev_token(DEV_JWT_SECRET, tenant="acme", roles=["status:admin"]))
    assert response.status_code == 200
    assert response.json() == {"tenant": "acme", "sub": "dev-user"}


async def test_no_token_is_401_with_a_challenge() -> None:
    response = await _get(None)
    _assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_token_for_another_tenant_is_403() -> None:
    body = _assert_problem(await _get(_token(), {TENANT_HEADER: "other-co"}), 403)
    assert body["code"] == "tenant_mismatch"


async def test_a_missing_role_is_403() -> None:
    body = _assert_problem(await _get(_token(roles=["status:viewer"])), 403)
    assert body["code"] == "forbidden"


async def test_an_expired_token_is_401() -> None:
    body = _assert_problem(await _get(_token(exp=int(time.time()) - 3600)), 401)
    assert "expired" in str(body["detail"])


def _unsigned(claims: dict[str, object]) -> str:
    def part(obj: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


async def test_alg_none_is_401() -> None:
    claims = {"sub": "u1", "tenant": "acme", "roles": ["status:admin"], "exp": time.time() + 60}
    _assert_problem(await _get(_unsigned(claims)), 401)


async def test_a_bad_signature_is_401() -> None:
    forged = jwt.encode(
        {"sub": "u1", "tenant": "acme", "roles": ["status:admin"], "exp": time.time() + 60},
        "not-the-secret-but-long-enough-for-hs256",
        algorithm="HS256",
    )
    _assert_problem(await _get(forged), 401)


async def test_a_token_without_the_tenant_claim_is_401() -> None:
    token = jwt.encode(
        {"sub": "u1", "roles": ["status:admin"], "exp": time.time() + 60},
        DEV_JWT_SECRET,
        algorithm="HS256",
    )
    _assert_problem(await _get(token), 401)


def test_the_development_secret_needs_an_environment_that_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The review found the public secret accepted whenever CSTATUS_ENV was not `production`
    (compose set nothing): now only an explicit development or test environment accepts it."""
    monkeypatch.delenv("CSTATUS_ENV", raising=False)
    monkeypatch.delenv("CSTATUS_JWT_SECRET", raising=False)
    with pytest.raises(ValueError, match="explicitly"):
        AuthSettings()
    assert AuthSettings(jwt_secret="a-secret-of-our-own-0123456789abcdef").env == "development"
    monkeypatch.setenv("CSTATUS_ENV", "development")
    assert AuthSettings().env == "development"


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="development"):
        AuthSettings(env="production", jwt_secret=DEV_JWT_SECRET, jwks_url="https://idp/jwks")
    with pytest.raises(ValueError, match="JWKS"):
        AuthSettings(env="production")


async def test_a_verified_token_is_remembered_until_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    authenticate = Authenticator(AuthSettings(env="test", jwt_leeway_s=0))
    now = time.time()
    token = _token(exp=int(now) + 30)
    assert (await authenticate.verify(token)).tenant == "acme"

    def no_second_check(*_: object, **__: object) -> object:
        raise AssertionError("a remembered token is not decoded again")

    monkeypatch.setattr(jwt, "decode", no_second_check)
    assert (await authenticate.verify(token)).tenant == "acme"

    monkeypatch.setattr(time, "time", lambda: now + 31)
    with pytest.raises(AssertionError, match="not decoded again"):
        await authenticate.verify(token)  # past its exp the token is checked afresh


def _rsa() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(private: Any, kid: str) -> dict[str, Any]:
    import json as _json

    public = _json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {**public, "kid": kid, "use": "sig", "alg": "RS256"}


def _rs256(private: Any, kid: str, **claims: Any) -> str:
    body = {
        "sub": "u",
        "tenant": "acme",
        "roles": ["status:viewer"],
        "iss": "https://idp",
        "aud": "cstatus",
        "exp": int(time.time()) + 60,
        **claims,
    }
    return jwt.encode(body, private, algorithm="RS256", headers={"kid": kid})


async def test_production_keys_come_from_the_jwks_asynchronously_and_follow_rotation() -> None:
    """The review found JWKS fetched synchronously on the event loop and cached for good; and
    `iss`/`aud` not required in production."""
    import httpx

    from cstatus.platform.http.jwks import JwksKeys

    old, new = _rsa(), _rsa()
    published = {"keys": [_jwk(old, "k1")]}
    requests: list[str] = []

    async def serve(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        return httpx.Response(200, json=published)

    client = httpx.AsyncClient(transport=httpx.MockTransport(serve))
    settings = AuthSettings(
        env="production",
        jwks_url="https://idp/jwks",
        jwt_issuer="https://idp",
        jwt_audience="cstatus",
        jwt_secret="not-the-development-secret-0123456789",
    )
    keys = JwksKeys("https://idp/jwks", min_refresh_s=0.0, client=client)
    authenticate = Authenticator(settings, jwks=keys)
    assert (await authenticate.verify(_rs256(old, "k1"))).tenant == "acme"
    published["keys"].append(_jwk(new, "k2"))  # the provider rotates
    assert (await authenticate.verify(_rs256(new, "k2"))).subject == "u"
    assert len(requests) == 2  # fetched again for the unknown kid, not per request
    for claims in ({"iss": "https://other"}, {"aud": "someone-else"}):
        with pytest.raises(Problem) as refused:
            await authenticate.verify(_rs256(old, "k1", **claims))
        assert refused.value.status == 401
    with pytest.raises(Problem):
        await authenticate.verify(
            jwt.encode(
                {"sub": "u", "tenant": "acme", "roles": [], "exp": int(time.time()) + 60},
                DEV_JWT_SECRET,
                algorithm="HS256",
            )
        )
    await client.aclose()


def test_production_requires_an_issuer_and_an_audience() -> None:
    with pytest.raises(ValueError, match="ISSUER"):
        AuthSettings(
            env="production",
            jwks_url="https://idp/jwks",
            jwt_secret="not-the-development-secret-0123456789",
        )


async def test_a_new_key_is_fetched_even_right_after_the_last_fetch() -> None:
    """The JWKS cache skipped a refresh asked for within a millisecond of the previous one
    (meant for concurrent callers, it also caught a sequential one: a rotated key was refused
    when the two requests came quickly; the test above failed about one run in three)."""
    import httpx

    from cstatus.platform.http.jwks import JwksKeys

    first, second = _rsa(), _rsa()
    published = {"keys": [_jwk(first, "k1")]}

    async def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=published)

    client = httpx.AsyncClient(transport=httpx.MockTransport(serve))
    keys = JwksKeys("https://idp/jwks", min_refresh_s=0.0, client=client)
    for n in range(20):  # each round asks within microseconds of the previous fetch
        assert await keys.key(f"k{n + 1}") is not None
        published["keys"].append(_jwk(second, f"k{n + 2}"))
    assert keys.fetches == 20
    await client.aclose()
