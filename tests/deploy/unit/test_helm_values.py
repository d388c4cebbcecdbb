"""The Helm chart's values agree with the code: the topics it creates are the contracts' topics,
each service's consumer groups (what KEDA scales on) are the groups the service consumes with,
and both values files pass the chart's own values.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from cstatus.assignment.entrypoints import kafka as assignment_kafka
from cstatus.audit.entrypoints import kafka as audit_kafka
from cstatus.contracts.topics import ALL_TOPICS
from cstatus.rules_engine.entrypoints import kafka as rules_kafka

pytestmark = pytest.mark.unit

CHART = Path(__file__).parents[3] / "deploy" / "helm" / "cstatus"
EXAMPLES = sorted((CHART.parent / "examples").glob("*.yaml"))


def _values(path: Path = CHART / "values.yaml") -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _merged(base: Any, over: Any) -> Any:
    """Helm's merge of a values file over the defaults: maps key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {k: _merged(base[k], v) if k in base else v for k, v in over.items()} | {
            k: v for k, v in base.items() if k not in over
        }
    return over


def test_the_chart_creates_exactly_the_contracts_topics() -> None:
    listed = {
        (t["name"], t["partitions"], bool(t.get("compacted")))
        for t in _values()["kafka"]["topics"]["list"]
    }
    assert listed == {(t.name, t.partitions, t.compacted) for t in ALL_TOPICS}


def test_consumer_groups_and_replica_caps_match_the_services() -> None:
    services = _values()["services"]
    assert services["assignment"]["consumerGroups"] == [
        assignment_kafka.CONSUMER,
        assignment_kafka.DECISIONS_CONSUMER,
        assignment_kafka.BULK_CONSUMER,
    ]
    assert services["rules-engine"]["consumerGroups"] == [rules_kafka.CONSUMER]
    assert services["audit"]["consumerGroups"] == [audit_kafka.CONSUMER]
    assert services["status-config"]["consumerGroups"] == []
    # the API-only pods of assignment join no group and leave its schema to the other entry
    api = services["assignment-api"]
    assert (api["consumerGroups"], api["consume"], api["migrate"]) == ([], False, False)
    assert (api["module"], api["prefix"]) == (services["assignment"]["module"], "ASSIGNMENT")
    partitions = {t.name: t.partitions for t in ALL_TOPICS}
    for name, topics in (
        ("assignment", assignment_kafka.TOPICS),
        ("rules-engine", rules_kafka.TOPICS),
        ("audit", audit_kafka.TOPICS),
    ):
        assert services[name]["maxReplicas"] <= max(partitions[t] for t in topics), name


@pytest.mark.parametrize("path", [CHART / "values.yaml", *EXAMPLES], ids=lambda p: p.name)
def test_values_files_pass_the_schema(path: Path) -> None:
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(_merged(_values(), _values(path)), schema)


def test_the_schema_refuses_what_the_chart_does_not_know() -> None:
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    values = _values()
    values["services"]["audit"]["replicaCount"] = 3
    with pytest.raises(jsonschema.ValidationError, match="replicaCount"):
        jsonschema.validate(values, schema)
