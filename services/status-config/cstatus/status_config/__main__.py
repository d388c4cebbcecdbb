"""`python -m cstatus.status_config [serve | migrate]`: run the Status configuration service, or apply its
migrations and exit (the Helm chart's migrations job)."""

from __future__ import annotations

import sys

from cstatus.platform.http.serve import main
from cstatus.status_config.bootstrap import create_app
from cstatus.status_config.settings import StatusConfigSettings

if __name__ == "__main__":
    sys.exit(main("status-config", StatusConfigSettings(), create_app))
