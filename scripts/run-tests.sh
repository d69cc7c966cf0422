#!/usr/bin/env bash
# The tests: lint, then the whole suite against a real Mosquitto.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
ruff check .
python -m pytest "$@"
