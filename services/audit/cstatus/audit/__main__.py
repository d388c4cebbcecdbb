"""`python -m cstatus.audit [serve | migrate]`: run the Audit service, or apply its
migrations and exit (the Helm chart's migrations job)."""

from __future__ import annotations

import sys

from cstatus.audit.bootstrap import create_app
from cstatus.audit.settings import AuditSettings
from cstatus.platform.http.serve import main

if __name__ == "__main__":
    sys.exit(main("audit", AuditSettings(), create_app))
