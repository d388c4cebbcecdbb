"""One-shot failpoints for the reliability suite: a process dies at a named point, once.

With `CSTATUS_FAILPOINT_DIR` set, `hit(name)` looks for a file `name` in that directory; if it is
there, the file is removed and the process exits at once (as `kill -9` would, without cleanup).
Unset (production), `hit` costs one attribute check.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["hit"]

_DIR = os.environ.get("CSTATUS_FAILPOINT_DIR")
_ROOT = Path(_DIR) if _DIR else None


def hit(name: str) -> None:
    """Die here if the failpoint `name` was armed (its file exists); disarm it first."""
    if _ROOT is None:
        return
    armed = _ROOT / name
    try:
        armed.unlink()
    except FileNotFoundError:
        return
    os._exit(137)
