"""Where a number came from: the commit of the code that ran, and the machine it ran on.

Build manifests, run configs and results files all record these, so a measured number can be traced to the
code that made it. Nothing here imports a deep-learning framework.
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any


def code_version() -> dict[str, Any]:
    """The git commit of the code that is running, and whether its tracked files had changes."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    changes = git("status", "--porcelain", "--untracked-files=no", "--", "maskthefer")
    return {"commit": commit, "modified": bool(changes) if changes is not None else None}


def machine() -> dict[str, Any]:
    """What the numbers were measured on (seconds per epoch mean little without it)."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "system": platform.system()}
