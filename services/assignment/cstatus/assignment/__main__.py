"""`python -m cstatus.assignment [serve | migrate]`: run the Assignment service, or apply its
migrations and exit (the Helm chart's migrations job)."""

from __future__ import annotations

import sys

from cstatus.assignment.bootstrap import create_app
from cstatus.assignment.settings import AssignmentSettings
from cstatus.platform.http.serve import main

if __name__ == "__main__":
    sys.exit(main("assignment", AssignmentSettings(), create_app))
