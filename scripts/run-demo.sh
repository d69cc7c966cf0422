#!/usr/bin/env bash
# The whole system on this machine with embedded defaults (Ctrl-C stops it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$ROOT"
exec mpp demo "$@"
