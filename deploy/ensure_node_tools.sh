#!/bin/sh
# Install the Node tools of the tests (tests/asyncapi: @asyncapi/parser) when node_modules is
# missing; tests/unit/test_asyncapi.py runs this on a fresh clone. Needs node and npm.
set -eu
DIR=$(CDPATH= cd -- "$(dirname -- "$0")/../tests/asyncapi" && pwd)
[ -d "$DIR/node_modules/@asyncapi/parser" ] && exit 0
for tool in node npm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "ensure_node_tools: $tool is missing; install Node.js 18 or later" >&2
        exit 1
    fi
done
export SCARF_ANALYTICS=false  # @asyncapi packages would report the install otherwise
cd "$DIR"
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
else
    npm install --no-audit --no-fund --loglevel=error
fi
