"""The AsyncAPI 3.0 document of a service (`GET /asyncapi.json`): the topics it consumes and
publishes, and the CloudEvents it finds or puts there, with their JSON Schemas from the contracts.

Built from the same registry the consumers decode with (`cstatus.contracts.registry`), so the
document cannot drift from what the service accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from cstatus.contracts.registry import EVENTS_BY_TOPIC
from cstatus.contracts.schemas import event_schema
from cstatus.contracts.topics import dlq_topic

__all__ = ["asyncapi_document"]


def _channel_id(topic: str) -> str:
    return topic.replace(".", "_").replace("-", "_")


@cache
def _message(event_type: str, topic: str) -> dict[str, Any]:
    model = EVENTS_BY_TOPIC[topic][event_type]
    schema = event_schema(event_type)
    return {
        "name": event_type,
        "title": event_type,
        "contentType": "application/cloudevents+json",
        "summary": (model.__doc__ or event_type).strip().splitlines()[0],
        "payload": schema,
        "bindings": {"kafka": {"key": {"type": "string", "description": "{tenant}:{subject}"}}},
    }


def asyncapi_document(
    *, title: str, version: str, receives: Sequence[str], sends: Sequence[str]
) -> dict[str, Any]:
    """The service's channels (one per topic), messages and receive/send operations."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for action, names in (("receive", receives), ("send", sends)):
        for topic in names:
            cid = _channel_id(topic)
            messages = {
                _channel_id(t): _message(t, topic) for t in sorted(EVENTS_BY_TOPIC.get(topic, {}))
            }
            channels.setdefault(cid, {"address": topic, "messages": messages})
            operations[f"{action}_{cid}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{cid}"},
                "messages": [{"$ref": f"#/channels/{cid}/messages/{m}"} for m in messages],
            }
    for topic in receives:  # what cannot be processed goes beside it, with the reason
        cid = _channel_id(dlq_topic(topic))
        channels[cid] = {
            "address": dlq_topic(topic),
            "description": f"records of {topic} that could not be processed, unchanged, with "
            "x-dlq-* headers naming the error, the consumer group and the original offset",
            "messages": {},
        }
        operations[f"send_{cid}"] = {"action": "send", "channel": {"$ref": f"#/channels/{cid}"}}
    return {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
    }
