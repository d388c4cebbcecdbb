"""A producer on the JVM: the CloudEvents Java SDK's Kafka binding (binary mode, its default)
publishes a booking with a field we do not know; the customer becomes a client."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from support import Platform
from tenants import Tenant

from cstatus.contracts import topics

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent / "java"
CACHE = Path(os.environ.get("HOME", "/root")) / ".cache/cstatus/cloudevents-java-4.0.1"


def _classpath(workdir: Path) -> str:
    """Fetch the SDK's jars once (Maven), compile the producer (javac); the class path."""
    marker = CACHE / ".complete"
    if not marker.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mvn",
                "-B",
                "-q",
                "-f",
                str(HERE / "pom.xml"),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={CACHE}",
            ],
            check=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
        )
        marker.touch()
    jars = f"{CACHE}/*"
    subprocess.run(
        ["javac", "-d", str(workdir), "-cp", jars, str(HERE / "BookingProducer.java")],
        check=True,
        timeout=300,
    )
    return f"{workdir}{os.pathsep}{jars}"


@pytest.mark.skipif(not (shutil.which("mvn") and shutil.which("javac")), reason="needs a JDK")
async def test_a_java_sdk_producer_moves_a_status(
    tenant: Tenant, platform: Platform, tmp_path: Path
) -> None:
    classpath = await asyncio.to_thread(_classpath, tmp_path)
    await asyncio.to_thread(
        subprocess.run,
        [
            "java",
            "-cp",
            classpath,
            "BookingProducer",
            platform.bootstrap,
            topics.BOOKINGS_RESERVATIONS,
            tenant.id,
            "c-java",
            tenant.next_id("java"),
            date.today().isoformat(),
        ],
        check=True,
        timeout=120,
    )
    held = await tenant.await_status("c-java", "relationship", "client", source="automatic")
    assert held["status_code"] == "client"
