#!/usr/bin/env bash
# Install whatever is missing, then open the clerk window on the embedded default
# (SQLite in the user's data folder; demo catalog loaded on first start).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/tools/setup.sh"
cd "$ROOT"
exec "$ROOT/.venv/bin/python" "$ROOT/main.py" "$@"
