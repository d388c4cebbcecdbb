"""schemathesis against each service's OpenAPI document, on the running services (issue 16):
no server error, every answer's status, content type, headers and body as documented, and
every status code a service documents answered at least once.

Two of schemathesis's checks are left out, on purpose: `positive_data_acceptance` (a request
that fits the schema may still break a business rule — an unknown category, a stale ETag — and
is refused with 409/412/422, as documented) and `negative_data_rejection` (query parameters and
dates are parsed leniently: `time=0.5` is read as a Unix timestamp). A token with every role of
a fresh tenant reaches every operation; the codes no generated request can provoke here — 401
(no token), 413 (a body over the limit) — are asked for explicitly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from cstatus.platform.http.auth import issue_dev_token
from cstatus.platform.settings import DEV_JWT_SECRET

pytestmark = pytest.mark.e2e

ROLES = ("status:admin", "status:agent", "status:system", "status:viewer")
EXCLUDED = "positive_data_acceptance,negative_data_rejection"
MAX_EXAMPLES = int(os.environ.get("CSTATUS_FUZZ_EXAMPLES", "10"))
ST = Path(sys.executable).with_name("st")


def _documented(spec: dict[str, Any]) -> set[int]:
    return {
        int(code)
        for operations in spec["paths"].values()
        for operation in operations.values()
        for code in operation.get("responses", {})
        if code.isdigit()
    }


def _observed(har: Path) -> list[tuple[str, str, int]]:
    entries = json.loads(har.read_text(encoding="utf-8"))["log"]["entries"]
    return [(e["request"]["method"], e["request"]["url"], e["response"]["status"]) for e in entries]


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'
)


def _status_config(http: httpx.Client, url: str) -> set[int]:
    """A status made, archived and deleted (201, 204), its icon read again unchanged (304)."""
    category = http.get(url + "/v1/categories").json()["items"][0]
    made = http.post(
        url + f"/v1/categories/{category['id']}/statuses",
        json={"code": "fuzz_made", "name": "Fuzz", "colour": "#112233"},
    )
    status_id = made.json()["id"]
    icon = http.put(
        url + f"/v1/statuses/{status_id}/icon",
        content=SVG,
        headers={"Content-Type": "image/svg+xml", "If-Match": made.headers["ETag"]},
    )
    read = http.get(url + f"/v1/statuses/{status_id}/icon")
    again = http.get(
        url + f"/v1/statuses/{status_id}/icon", headers={"If-None-Match": read.headers["ETag"]}
    )
    archived = http.patch(
        url + f"/v1/statuses/{status_id}",
        json={"archived": True},
        headers={"If-Match": icon.headers["ETag"]},
    )
    deleted = http.delete(
        url + f"/v1/statuses/{status_id}", headers={"If-Match": archived.headers["ETag"]}
    )
    codes = [made, icon, again, archived, deleted]
    return {r.status_code for r in codes}


def _assignment(http: httpx.Client, url: str) -> set[int]:
    """A bulk change accepted (202), once the configuration has arrived; fraud confirmed
    without a suspicion refused (409); a deletion waiting for a second person (202)."""
    deadline = time.monotonic() + 30
    while True:
        bulk = http.post(
            url + "/v1/bulk-status-changes",
            json={"category_code": "lifecycle", "status_code": "suspended", "reason": "fuzz",
                  "customer_ids": ["c-bulk"]},
        )  # fmt: skip
        if bulk.status_code != 422 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    path = url + "/v1/customers/c-gone/statuses/lifecycle"
    confirmed = http.put(path, json={"status_code": "fraud_confirmed", "reason": "fuzz"})
    gone = http.put(path, json={"status_code": "deleted", "reason": "fuzz"})  # four eyes: 202
    return {bulk.status_code, confirmed.status_code, gone.status_code}


def _rules_engine(http: httpx.Client, url: str) -> set[int]:
    """A body that is not even text (400; broken JSON is 422 with the parser's reason)."""
    broken = http.post(
        url + "/v1/sweeps", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    return {broken.status_code}


REACH = {
    "status-config": _status_config,
    "assignment": _assignment,
    "rules-engine": _rules_engine,
    "audit": lambda http, url: set(),
}
UNPROVOKED = {
    "rules-engine": {409, 503},
    "status-config": {503},
    "assignment": {503},
    "audit": {503},
}
"""Documented and real, but not provoked here: `/health/ready` answering 503 (a dependency
down: the reliability suite's outages) and a sweep of the tenant already running (409)."""


@pytest.mark.parametrize("service", ["status-config", "assignment", "rules-engine", "audit"])
def test_the_api_answers_as_documented(
    service: str, services: dict[str, str], tmp_path: Path
) -> None:
    url = services[service]
    tenant = f"fz-{uuid.uuid4().hex[:8]}"
    token = issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=ROLES, subject="fuzzer")
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as http:
        reply = http.put(
            services["status-config"] + "/v1/tenant", json={"seed_defaults": True}, headers=auth
        )
        assert reply.status_code in (200, 201), reply.text
        spec = http.get(url + "/openapi.json").json()
        plain = next(p for p in spec["paths"] if p.startswith("/v1") and "{" not in p)
        method = next(iter(spec["paths"][plain])).upper()
        roleless = issue_dev_token(DEV_JWT_SECRET, tenant=tenant, roles=(), subject="nobody")
        extra = {
            http.request(method, url + plain).status_code,  # no token: 401
            http.request(  # a token with no role of this API: 403
                method, url + plain, headers={"Authorization": f"Bearer {roleless}"}
            ).status_code,
        }
        with_body = [
            (p, m.upper()) for p, ops in spec["paths"].items() for m, o in ops.items()
            if "requestBody" in o
        ]  # fmt: skip
        if with_body:  # a body over the limit: 413 before anything reads it
            path, verb = with_body[0]
            big = http.request(verb, url + path, content=b"x" * (5 << 20), headers=auth)
            extra.add(big.status_code)
    assert extra == ({401, 403, 413} if with_body else {401, 403}), extra
    with httpx.Client(timeout=30, headers=auth) as http:
        extra |= REACH[service](http, url)
    har = tmp_path / "run.har"
    run = subprocess.run(
        [
            str(ST),
            "run",
            url + "/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--exclude-checks",
            EXCLUDED,
            "--max-examples",
            str(MAX_EXAMPLES),
            "--seed",
            "16",
            "--workers",
            "1",  # schemathesis 4.32's coverage phase crashed now and then with 2 (its threads)
            "--report",
            "har",
            "--report-har-path",
            str(har),
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    summary = run.stdout[run.stdout.rfind("SUMMARY") :]
    assert run.returncode == 0, run.stdout[-6000:]
    seen = _observed(har)
    assert not [s for s in seen if s[2] >= 500], summary
    answered = {status for _, _, status in seen} | extra
    missing = _documented(spec) - answered - UNPROVOKED.get(service, set())
    assert not missing, f"documented but never answered: {sorted(missing)}\n{summary}"
