"""The JVM side of the CloudEvents Java SDK's Kafka binding: a booking system publishes a booking
(binary mode, its default) with a field we do not know, the customer becomes a client; a
marketing system reads that change back from `customer-status.changes.v1` (structured mode)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from support import Platform
from tenants import Tenant

from cstatus.contracts import topics
from cstatus.driver.offsets import Offsets
from cstatus.driver.reader import read_between

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent / "java"
POM = HERE / "pom.xml"
CACHE = (
    Path(os.environ.get("HOME", "/root"))
    / ".cache/cstatus"
    / ("cloudevents-java-" + hashlib.sha256(POM.read_bytes()).hexdigest()[:12])
)


def _classpath(workdir: Path) -> str:
    """Fetch the SDK's jars once (Maven), compile the two programs (javac); the class path."""
    marker = CACHE / ".complete"
    if not marker.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mvn",
                "-B",
                "-q",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={CACHE}",
            ],
            check=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        marker.touch()
    jars = f"{CACHE}/*"
    sources = [str(HERE / "BookingProducer.java"), str(HERE / "ChangeReader.java")]
    subprocess.run(["javac", "-d", str(workdir), "-cp", jars, *sources], check=True, timeout=300)
    return f"{workdir}{os.pathsep}{jars}"


def _java(classpath: str, *args: str) -> str:
    done = subprocess.run(
        ["java", "-cp", classpath, *args], check=True, timeout=120, capture_output=True, text=True
    )
    return done.stdout


@pytest.mark.skipif(not (shutil.which("mvn") and shutil.which("javac")), reason="needs a JDK")
async def test_the_java_sdk_publishes_to_us_and_reads_what_we_publish(
    tenant: Tenant, platform: Platform, tmp_path: Path
) -> None:
    classpath = await asyncio.to_thread(_classpath, tmp_path)
    since_ms = int(time.time() * 1000) - 1_000
    await asyncio.to_thread(
        _java,
        classpath,
        "BookingProducer",
        platform.bootstrap,
        topics.BOOKINGS_RESERVATIONS,
        tenant.id,
        "c-java",
        tenant.next_id("java"),
        date.today().isoformat(),
    )
    await tenant.await_status("c-java", "relationship", "client", source="automatic")

    async with Offsets(platform.bootstrap) as offsets:
        start = await offsets.at_time([topics.STATUS_CHANGES], since_ms)
        end = await offsets.ends([topics.STATUS_CHANGES])
    records = await read_between(
        platform.bootstrap, start, end, key_prefix=f"{tenant.id}:c-java".encode()
    )
    client = next(
        r for r in records if r.value and json.loads(r.value)["data"]["to"]["code"] == "client"
    )
    line = await asyncio.to_thread(
        _java,
        classpath,
        "ChangeReader",
        platform.bootstrap,
        topics.STATUS_CHANGES,
        str(client.partition),
        str(client.offset),
    )
    kind, read_tenant, subject, data = line.strip().split(" ", 3)
    assert (kind, read_tenant, subject) == ("customer_status.changed", tenant.id, "c-java")
    assert json.loads(data)["to"]["code"] == "client"
