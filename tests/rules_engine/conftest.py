"""The rules engine's tests: this directory goes on the import path (the suite imports test
modules with `--import-mode=importlib`), so its unit and integration tests share
`decisions_case.py`."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
