#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment in .venv and install maskthefer into it.
# Usage: source scripts/setup-env.sh [extras]     e.g. extras "test"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"
if [ ! -x "$root/.venv/bin/python" ]; then
  "$python" -m venv "$root/.venv"
  "$root/.venv/bin/python" -m pip install --quiet --upgrade pip
fi
extras="${1:-}"
spec="$root"
[ -n "$extras" ] && spec="$root[$extras]"
"$root/.venv/bin/python" -m pip install --quiet -e "$spec"
