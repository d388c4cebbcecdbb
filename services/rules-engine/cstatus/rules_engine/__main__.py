"""`python -m cstatus.rules_engine [serve | migrate]`: run the Rules engine service, or apply its
migrations and exit (the Helm chart's migrations job)."""

from __future__ import annotations

import sys

from cstatus.platform.http.serve import main
from cstatus.rules_engine.bootstrap import create_app
from cstatus.rules_engine.settings import RulesEngineSettings

if __name__ == "__main__":
    sys.exit(main("rules-engine", RulesEngineSettings(), create_app))
