import pytest

from cstatus.platform.settings import KafkaSettings

pytestmark = pytest.mark.unit


def test_without_prefixes_every_tenant_applies() -> None:
    assert KafkaSettings().applies_to("acme")


def test_the_prefix_keeps_only_its_tenants() -> None:
    settings = KafkaSettings(tenant_prefix="re-")
    assert settings.applies_to("re-1")
    assert not settings.applies_to("acme")


def test_excluded_prefixes_are_skipped() -> None:
    settings = KafkaSettings(tenant_exclude="as-,re-")
    assert not settings.applies_to("as-1")
    assert not settings.applies_to("re-2")
    assert settings.applies_to("demo")
