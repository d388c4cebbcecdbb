"""`python -m cstatus.rules_engine`: run the Rules engine service."""

from __future__ import annotations

from cstatus.platform.http.serve import serve
from cstatus.rules_engine.bootstrap import create_app
from cstatus.rules_engine.settings import RulesEngineSettings


def main() -> None:
    settings = RulesEngineSettings()
    serve(create_app(settings), host=settings.http_host, port=settings.http_port)


if __name__ == "__main__":
    main()
