#!/usr/bin/env bash
# Set up .venv and run the whole test suite on slices of ../shared/data (what CI runs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/setup-env.sh" test
cd "$root"
exec .venv/bin/python -m pytest "$@"
