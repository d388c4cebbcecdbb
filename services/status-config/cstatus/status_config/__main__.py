"""`python -m cstatus.status_config`: run the Status configuration service."""

from __future__ import annotations

from cstatus.platform.http.serve import serve
from cstatus.status_config.bootstrap import create_app
from cstatus.status_config.settings import StatusConfigSettings


def main() -> None:
    settings = StatusConfigSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
