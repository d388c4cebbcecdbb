"""Rules (automatic categories only), translations chosen by Accept-Language, and icons."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>'

RULES: list[dict[str, Any]] = [
    {"type": "count", "metric": "spend", "min": 100, "max": 500, "window_days": 30},
    {"type": "first_activity", "triggers": ["reservation.booked", "payment.captured"]},
    {"type": "inactivity", "days": 180},
    {"type": "velocity", "metric": "points_redeemed", "threshold": 5, "window_minutes": 10},
]


async def _status(admin: httpx.AsyncClient, update_mode: str = "automatic") -> str:
    category = await admin.post(
        "/v1/categories", json={"code": "loyalty", "name": "Loyalty", "update_mode": update_mode}
    )
    status = await admin.post(
        f"/v1/categories/{category.json()['id']}/statuses",
        json={"code": "gold", "name": "Gold", "colour": "#FFD700", "description": "The best"},
    )
    return str(status.json()["id"])


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    return dict(response.json())


async def test_each_rule_type_is_one_rule_that_replaces_the_last(admin: httpx.AsyncClient) -> None:
    url = f"/v1/statuses/{await _status(admin)}/rule"
    for rule in RULES:
        response = await admin.put(url, json=rule)
        assert response.status_code == 200, response.text
        assert {k: v for k, v in response.json()["rule"].items() if k in rule} == rule
    assert (await admin.delete(url)).json()["rule"] is None
    _problem(await admin.delete(url), 404, "rule_not_found")


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"type": "count", "metric": "spend", "min": 10, "max": 5}, "max"),
        ({"type": "count", "metric": "spend", "min": -1}, "count.min"),
        ({"type": "count", "metric": "spend", "min": 1, "window_days": 0}, "count.window_days"),
        ({"type": "count", "metric": "spend", "min": 1, "window_days": 3651}, "count.window_days"),
        ({"type": "count", "metric": "visits", "min": 1}, "count.metric"),
        ({"type": "first_activity", "triggers": []}, "first_activity.triggers"),
        ({"type": "first_activity", "triggers": ["customer.created"]}, None),
        ({"type": "inactivity", "days": 0}, "inactivity.days"),
        ({"type": "velocity", "metric": "spend", "threshold": 1, "window_minutes": 0}, None),
        ({"type": "horoscope"}, None),
    ],
)
async def test_invalid_rules_are_refused_with_the_field(
    admin: httpx.AsyncClient, rule: dict[str, Any], field: str | None
) -> None:
    response = await admin.put(f"/v1/statuses/{await _status(admin)}/rule", json=rule)
    assert response.status_code == 422, response.text
    if field is not None:
        assert field in [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("mode", ["manual", "external"])
async def test_rules_belong_to_automatic_categories_only(
    admin: httpx.AsyncClient, mode: str
) -> None:
    response = await admin.put(f"/v1/statuses/{await _status(admin, mode)}/rule", json=RULES[2])
    assert _problem(response, 422, "rule_not_allowed")["errors"][0]["field"] == "rule"


async def test_a_category_with_rules_can_switch_to_manual_and_back(
    admin: httpx.AsyncClient,
) -> None:
    """SPEC §1 v2: switching an automatic category to manual keeps every customer's status (the
    review found it refused while rules existed); its rules stay, inert, until it switches back."""
    status_id = await _status(admin)
    await admin.put(f"/v1/statuses/{status_id}/rule", json=RULES[2])
    category_id = (await admin.get(f"/v1/statuses/{status_id}")).json()["category_id"]
    response = await admin.patch(f"/v1/categories/{category_id}", json={"update_mode": "manual"})
    assert response.status_code == 200, response.text
    assert (await admin.get(f"/v1/statuses/{status_id}")).json()["rule"]["days"] == 180
    back = await admin.patch(f"/v1/categories/{category_id}", json={"update_mode": "automatic"})
    assert back.status_code == 200, back.text


async def test_names_follow_accept_language_and_fall_back_to_the_default(
    client: Any,
) -> None:
    async with client("status:admin") as admin:
        await admin.put("/v1/tenant", json={"default_language": "en"})
        status_id = await _status(admin)
        url = f"/v1/statuses/{status_id}"
        german = {"name": "Gold (de)", "description": "Die Besten"}
        assert (await admin.put(f"{url}/translations/de", json=german)).status_code == 200
        await admin.put(f"{url}/translations/fr-CH", json={"name": "Or"})
        _problem(
            await admin.put(f"{url}/translations/not a tag", json=german), 422, "validation_failed"
        )

    async with client("status:viewer") as viewer:

        async def name_in(accept: str) -> tuple[str, str, str]:
            response = await viewer.get(url, headers={"Accept-Language": accept})
            body = response.json()
            return body["name"], body["language"], response.headers["content-language"]

        assert await name_in("de-AT, en;q=0.5") == ("Gold (de)", "de", "de")
        assert await name_in("fr") == ("Or", "fr-CH", "fr-CH")
        assert await name_in("it, de;q=0.2") == ("Gold (de)", "de", "de")
        assert await name_in("ja") == ("Gold", "en", "en")
        listed = await viewer.get("/v1/categories", headers={"Accept-Language": "de"})
        assert listed.json()["items"][0]["statuses"][0]["description"] == "Die Besten"
        translations = (await viewer.get("/v1/config")).json()["config"]["categories"][0][
            "statuses"
        ][0]["translations"]
        assert translations == {
            "de": {"name": "Gold (de)", "description": "Die Besten"},
            "fr-CH": {"name": "Or", "description": None},
        }


async def test_category_translations(admin: httpx.AsyncClient) -> None:
    category = await admin.post(
        "/v1/categories", json={"code": "tier", "name": "Tier", "update_mode": "manual"}
    )
    url = f"/v1/categories/{category.json()['id']}"
    await admin.put(f"{url}/translations/nl", json={"name": "Niveau"})
    assert (await admin.get(url, headers={"Accept-Language": "nl"})).json()["name"] == "Niveau"
    assert (await admin.delete(f"{url}/translations/nl")).status_code == 200
    assert (await admin.get(url, headers={"Accept-Language": "nl"})).json()["name"] == "Tier"


@pytest.mark.parametrize(
    ("content", "media_type"), [(PNG, "image/png"), (JPEG, "image/jpeg"), (SVG, "image/svg+xml")]
)
async def test_an_icon_is_served_back_with_its_etag(
    admin: httpx.AsyncClient,
    client: Any,
    status_config_app: Any,
    content: bytes,
    media_type: str,
) -> None:
    status_id = await _status(admin)
    url = f"/v1/statuses/{status_id}/icon"
    uploaded = await admin.put(url, content=content, headers={"content-type": media_type})
    assert uploaded.status_code == 200, uploaded.text
    public = uploaded.json()["icon_url"]
    digest = hashlib.sha256(content).hexdigest()[:32]
    assert public == f"http://127.0.0.1:8081/v1/icons/{digest}"
    async with client("status:agent") as agent:
        served = await agent.get(url)
        assert served.status_code == 200
        assert served.content == content
        assert served.headers["content-type"] == media_type
        assert "max-age" in served.headers["cache-control"]
        again = await agent.get(url, headers={"If-None-Match": served.headers["etag"]})
        assert again.status_code == 304
    config = (await admin.get("/v1/config")).json()["config"]
    assert config["categories"][0]["statuses"][0]["icon_url"] == public

    # Whoever shows the customer fetches it with a plain client: no token, any origin.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=status_config_app), base_url="http://test"
    ) as anyone:
        path = urlsplit(public).path
        plain = await anyone.get(path, headers={"Origin": "https://desk.example"})
        assert plain.status_code == 200, plain.text
        assert plain.content == content
        assert plain.headers["content-type"] == media_type
        assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert plain.headers["access-control-allow-origin"] == "*"
        assert plain.headers["etag"] == f'"{digest}"'
        assert plain.headers["content-security-policy"].startswith("default-src 'none'")
        assert plain.headers["x-content-type-options"] == "nosniff"
        cached = await anyone.get(path, headers={"If-None-Match": plain.headers["etag"]})
        assert cached.status_code == 304
        assert (await anyone.get(url)).status_code == 401  # the tenant's own route needs a token
        assert (await admin.delete(url)).json()["icon_url"] is None
        assert (await admin.get(url)).status_code == 404
        assert (await anyone.get(path)).status_code == 404
        assert (await anyone.get("/v1/icons/not-a-digest")).status_code == 422


async def test_icons_are_checked_from_their_content(admin: httpx.AsyncClient) -> None:
    url = f"/v1/statuses/{await _status(admin)}/icon"
    _problem(
        await admin.put(url, content=PNG, headers={"content-type": "image/jpeg"}),
        415,
        "content_type_mismatch",
    )
    _problem(
        await admin.put(
            url, content=b"GIF89a" + b"\x00" * 20, headers={"content-type": "image/png"}
        ),
        415,
        "content_type_mismatch",
    )
    _problem(
        await admin.put(url, content=PNG, headers={"content-type": "image/gif"}),
        415,
        "unsupported_media_type",
    )
    scripted = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    _problem(
        await admin.put(url, content=scripted, headers={"content-type": "image/svg+xml"}),
        422,
        "unsafe_svg",
    )
    huge = PNG + b"\x00" * (256 * 1024)
    response = await admin.put(url, content=huge, headers={"content-type": "image/png"})
    assert response.status_code == 413
    assert (await admin.get(url)).status_code == 404


async def test_a_configuration_too_large_for_one_message_is_refused_whole(
    admin: httpx.AsyncClient,
) -> None:
    """The whole configuration is one Kafka message; the review found translations uncapped, so a
    tenant could make a document the broker refuses, which then blocked the outbox for good."""
    category = await admin.post(
        "/v1/categories", json={"code": "big", "name": "Big", "update_mode": "manual"}
    )
    ids = []
    for n in range(5):
        status = await admin.post(
            f"/v1/categories/{category.json()['id']}/statuses",
            json={"code": f"s{n}", "name": f"S{n}", "colour": "#FFD700"},
        )
        ids.append(status.json()["id"])
    languages = [f"{a}{b}" for a in "abcdefghij" for b in "abcdefghij"]
    body = {"name": "x" * 200, "description": "y" * 2000}
    refused = None
    for status_id in ids:
        for language in languages:
            response = await admin.put(
                f"/v1/statuses/{status_id}/translations/{language}", json=body
            )
            if response.status_code != 200:
                refused = response
                break
        if refused is not None:
            break
    assert refused is not None, "a configuration of over 1 MiB was accepted"
    _problem(refused, 413, "configuration_too_large")
    document = (await admin.get("/v1/config")).json()
    assert len(str(document)) < 1024 * 1024  # the refused change left nothing behind
