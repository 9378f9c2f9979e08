#!/usr/bin/env bash
# The client check: generate a TypeScript client from openapi.yaml with openapi-typescript and
# compile it with `tsc --strict` against ts/usage.ts, which relies on enum unions and on the
# paging fields of every list response. Tools come from ts/package-lock.json (`npm ci`).
set -euo pipefail
cd "$(dirname "$0")/ts"
# Reinstall only when the lock file changed since the last install.
if ! cmp -s package-lock.json node_modules/.installed-lock.json 2>/dev/null; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json node_modules/.installed-lock.json
fi
npx --no-install openapi-typescript ../../../openapi.yaml --output generated/api.d.ts --silent
npx --no-install tsc --strict --noEmit -p .
echo "contract: the TypeScript client compiles under tsc --strict"
