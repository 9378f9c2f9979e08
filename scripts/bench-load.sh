#!/usr/bin/env bash
# Load benchmark: starts the release server on the embedded store (a fresh temporary data
# directory), registers and logs in a user, then measures `GET /api/auth/me` with wrk at 64
# concurrent connections and prints requests/s and the latency percentiles.
#
#   scripts/bench-load.sh                 # 30 s, 64 connections, 1 wrk thread
#   DURATION=60s CONNECTIONS=128 scripts/bench-load.sh
#
# Target on a 2-core machine: >= 20,000 req/s with p99 < 5 ms (client and server share the cores).
# Installs wrk with apt-get when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-30s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-1}"

if ! command -v wrk >/dev/null; then
    echo "bench-load: installing wrk" >&2
    if [[ $(id -u) -eq 0 ]]; then apt-get install -y -qq wrk >/dev/null; else sudo apt-get install -y -qq wrk >/dev/null; fi
fi

cargo build --release -p botfleet-api --bin botfleet

data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
BOTFLEET_HTTP_ADDR="127.0.0.1:$port" BOTFLEET_DATA_DIR="$data" BOTFLEET_LOG_LEVEL=warn \
    BOTFLEET_JWT_SECRET="bench-jwt-secret-0123456789-abcdefghijklmnopqrstuv" \
    BOTFLEET_ENCRYPTION_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" \
    target/release/botfleet &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT

for _ in $(seq 100); do
    curl -fsS "$base/health/live" >/dev/null 2>&1 && break
    sleep 0.1
done

curl -fsS -H 'content-type: application/json' "$base/api/auth/register" \
    -d '{"email":"bench@example.com","password":"bench password 1","name":"Bench","accept_terms":true,"accept_privacy":true}' >/dev/null
token="$(curl -fsS -H 'content-type: application/json' "$base/api/auth/login" \
    -d '{"email":"bench@example.com","password":"bench password 1"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"
curl -fsS -H "authorization: Bearer $token" "$base/api/auth/me" >/dev/null

echo "bench-load: GET /api/auth/me, $CONNECTIONS connections, $THREADS wrk threads, $DURATION"
wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" -H "authorization: Bearer $token" "$base/api/auth/me"
