#!/usr/bin/env bash
# Build the editor bundle from frontend/ (CodeMirror 6 from npm, pinned by frontend/package-lock.json)
# into platform/web/static/web/editor.bundle.js, or into the folder given as $1. The bundle is
# committed, so `make run` needs no Node; rebuild after changing frontend/ and commit the result.
set -euo pipefail
cd "$(dirname "$0")/../frontend"
command -v npm >/dev/null || { echo "npm is not installed (Debian: apt-get install npm)" >&2; exit 2; }
npm ci --no-audit --no-fund --loglevel=error
node build.mjs "$@"
