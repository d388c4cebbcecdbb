"""`python -m cstatus.assignment`: run the Assignment service."""

from __future__ import annotations

from cstatus.assignment.bootstrap import create_app
from cstatus.assignment.settings import AssignmentSettings
from cstatus.platform.http.serve import serve


def main() -> None:
    settings = AssignmentSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
