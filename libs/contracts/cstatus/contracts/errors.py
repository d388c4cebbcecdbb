"""The one exception a message that breaks a contract raises."""

from __future__ import annotations

from pydantic import ValidationError
from pydantic_core import ErrorDetails

__all__ = [
    "ContractError",
    "UnknownEventType",
]

_MAX_MESSAGE = 1000
_MAX_ERRORS_SHOWN = 8


class ContractError(ValueError):
    """A message is not valid JSON or does not satisfy its contract.

    `str(error)` is a readable, bounded (≤ 1000 characters) summary fit for a dead-letter header;
    `problems` holds one `"location: message"` line per validation error.
    """

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(_bounded(message))
        self.problems = problems

    @classmethod
    def from_validation(
        cls, what: str, error: ValidationError, *, skip_loc: int = 0
    ) -> ContractError:
        """Summarise a pydantic `ValidationError` raised while decoding `what`.

        `skip_loc` drops that many leading location parts (a union's tag) from each problem.
        """
        details = error.errors(include_url=False, include_input=False)
        if any(d["type"] == "json_invalid" for d in details):
            return cls(f"{what}: not valid JSON: {details[0]['msg']}")
        problems = tuple(f"{_location(d, skip_loc)}: {_explain(d)}" for d in details)
        shown = "; ".join(problems[:_MAX_ERRORS_SHOWN])
        more = len(problems) - _MAX_ERRORS_SHOWN
        if more > 0:
            shown += f"; ... and {more} more"
        noun = "error" if len(problems) == 1 else "errors"
        return cls(f"{what}: {len(problems)} validation {noun}: {shown}", problems)


def _explain(detail: ErrorDetails) -> str:
    ctx = detail.get("ctx") or {}
    if detail["type"] == "union_tag_invalid":
        expected = ctx.get("expected_tags")
        return f"{ctx.get('tag')!r} is not a type of this topic (expected one of {expected})"
    if detail["type"] == "union_tag_not_found":
        return "not a JSON object with a string `type`"
    return detail["msg"]


def _location(detail: ErrorDetails, skip: int) -> str:
    if detail["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return "type"
    return ".".join(str(part) for part in detail["loc"][skip:]) or "(message)"


def _bounded(message: str) -> str:
    if len(message) <= _MAX_MESSAGE:
        return message
    return message[: _MAX_MESSAGE - 3] + "..."


class UnknownEventType(ContractError):
    """A message of a CloudEvents `type` this version does not know, on a topic it knows: a
    producer newer than us. Tolerant readers acknowledge, count and skip it (SPEC §2 v2)."""

    def __init__(self, topic: str, event_type: str) -> None:
        super().__init__(f"type {event_type!r} is not known on {topic} by this version")
        self.topic = topic
        self.event_type = event_type
