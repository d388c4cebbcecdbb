"""`python -m cstatus.audit`: run the Audit service."""

from __future__ import annotations

from cstatus.audit.bootstrap import create_app
from cstatus.audit.settings import AuditSettings
from cstatus.platform.http.serve import serve


def main() -> None:
    settings = AuditSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
