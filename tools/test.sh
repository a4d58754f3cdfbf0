#!/usr/bin/env bash
# Install whatever is missing, then run the whole test suite (GUI tests start Xvfb, printing tests start CUPS).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" -m pytest "$@"
