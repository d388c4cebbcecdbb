"""What assignment's routes ask for: the caller's roles, and the collaborators `bootstrap.py`
built and kept in the app's state (`app.state.api`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends

from cstatus.assignment.service.assignments import Assignments
from cstatus.assignment.service.queries import RestrictionsReader
from cstatus.platform.http.depends import state
from cstatus.platform.service import ServiceRuntime

__all__ = ["READERS", "Api", "ApiDep", "Restrictions"]

READERS = ("status:viewer", "status:agent", "status:admin", "status:system")


class Restrictions:
    """The process's restrictions reader, built on first use: the pools exist only once the
    app has started."""

    def __init__(self, runtime: ServiceRuntime, service: Assignments) -> None:
        self._runtime = runtime
        self._service = service
        self._reader: RestrictionsReader | None = None

    def __call__(self) -> RestrictionsReader:
        if self._reader is None:
            runtime, service = self._runtime, self._service
            self._reader = RestrictionsReader(
                service, runtime.pool, service.cache, reads=runtime.read_pool
            )
        return self._reader


@dataclass(frozen=True, slots=True)
class Api:
    """The collaborators of the routes, built once in `bootstrap.py`."""

    runtime: ServiceRuntime
    service: Assignments
    restrictions: Restrictions
    clock: Callable[[], datetime]


ApiDep = Annotated[Api, Depends(state(Api, "api"))]
