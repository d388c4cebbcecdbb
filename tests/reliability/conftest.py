"""The reliability suite's modules sit beside its tests; tests are imported with importlib, so
this folder is put on the path here (as tests/e2e does)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
