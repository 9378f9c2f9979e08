#!/usr/bin/env bash
# Dashboard benchmark of the release server on the embedded store (SQLite): one user on MAX with
# BOTS bots (50: smart, candle, dca, channel) and ORDERS filled orders (100,000, over a year, with
# their closed positions), seeded by `tests/benches/dashboard_seed.rs`. For each endpoint
#
#   GET /api/dashboard/summary
#   GET /api/dashboard/performance?window=90d
#   GET /api/exports/report.pdf
#
# it measures
#   1. cold: the first request after a server restart (empty 60 s dashboard cache, cold store
#      cache: the worst case), COLD_SAMPLES times, with curl; the worst of them is reported;
#   2. cached: wrk with CONNECTIONS connections for DURATION, its p99.
#
# Every non-2xx answer counts as a failure, an endpoint that is not there (404) too: the script
# says which endpoint failed and how, measures the others, and exits 1.
#
#   scripts/bench-dashboard.sh                       # 20 s per wrk run, 16 connections
#   DURATION=10s COLD_SAMPLES=5 ORDERS=20000 scripts/bench-dashboard.sh
#   BIN=target/debug/botfleet DURATION=2s ORDERS=2000 scripts/bench-dashboard.sh  # check the script
#
# Targets (issue 15, docs/performance.md "## Dashboard"): p99 under 20 ms (summary), 50 ms
# (performance) and 1 s (PDF) on the 2-core machine. Installs wrk with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION="${DURATION:-20s}"
CONNECTIONS="${CONNECTIONS:-16}"
THREADS="${THREADS:-1}"
BOTS="${BOTS:-50}"
ORDERS="${ORDERS:-100000}"
COLD_SAMPLES="${COLD_SAMPLES:-10}"
# The server binary; when set, the release build is skipped.
BIN="${BIN:-}"
ENDPOINTS=(
    "/api/dashboard/summary"
    "/api/dashboard/performance?window=90d"
    "/api/exports/report.pdf"
)

if ! command -v wrk >/dev/null; then
    echo "bench-dashboard: installing wrk" >&2
    apt-get update -qq >/dev/null
    apt-get install -y -qq wrk >/dev/null
fi

if [[ -z "$BIN" ]]; then
    cargo build --release -p botfleet-api --bin botfleet
    BIN=target/release/botfleet
fi

work="$(mktemp -d)"
server=""
stop() {
    if [[ -n "$server" ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}
trap 'stop; rm -rf "$work"' EXIT

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"

# The seeded bots are running: workflows are scaled far out so the engine does not trade (or
# reach an exchange) during the measurements.
start() {
    BOTFLEET_HTTP_ADDR="127.0.0.1:$port" BOTFLEET_DATA_DIR="$work/data" BOTFLEET_LOG_LEVEL=warn \
        BOTFLEET_WORKFLOW_INTERVAL_SCALE=100000 \
        BOTFLEET_JWT_SECRET="bench-jwt-secret-0123456789-abcdefghijklmnopqrstuv" \
        BOTFLEET_ENCRYPTION_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" \
        "$BIN" >>"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 4000); do
        curl -fsS "$base/health/ready" >/dev/null 2>&1 && return
        sleep 0.005
    done
    echo "bench-dashboard: the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)[\"$1\"])"; }

mkdir "$work/data"
start
owner="$(curl -fsS -H 'content-type: application/json' "$base/api/auth/register" \
    -d '{"email":"dashboard@example.com","password":"bench password 1","name":"Bench","accept_terms":true,"accept_privacy":true}' |
    json_field id)"
stop
echo "bench-dashboard: seeding $BOTS bots and $ORDERS filled orders"
cargo bench -p botfleet-tests --bench dashboard_seed -- --dir "$work/data" --owner "$owner" --bots "$BOTS" --orders "$ORDERS"
du -sh "$work/data"
start
token="$(curl -fsS -H 'content-type: application/json' "$base/api/auth/login" \
    -d '{"email":"dashboard@example.com","password":"bench password 1"}' | json_field access_token)"

failed=()
declare -A cold_worst cached_p99

echo
echo "bench-dashboard: cold, the first request after a restart, $COLD_SAMPLES samples per endpoint"
for path in "${ENDPOINTS[@]}"; do
    : >"$work/cold.txt"
    for _ in $(seq "$COLD_SAMPLES"); do
        stop
        start
        read -r code seconds < <(curl -sS -o /dev/null -w '%{http_code} %{time_total}\n' \
            -H "authorization: Bearer $token" "$base$path")
        if [[ "$code" != 2* ]]; then
            echo "bench-dashboard: GET $path answered $code: failed (is its branch merged?)" >&2
            failed+=("GET $path (cold: $code)")
            break
        fi
        echo "$seconds" >>"$work/cold.txt"
    done
    if [[ -s "$work/cold.txt" ]]; then
        cold_worst[$path]="$(sort -g "$work/cold.txt" | python3 -c '
import sys
ms = [float(l) * 1000 for l in sys.stdin]
print(f"best {ms[0]:.1f} ms, median {ms[len(ms) // 2]:.1f} ms, worst {ms[-1]:.1f} ms of {len(ms)}")')"
        echo "  GET $path: ${cold_worst[$path]}"
    fi
done

echo
echo "bench-dashboard: cached, wrk -c $CONNECTIONS -d $DURATION"
for path in "${ENDPOINTS[@]}"; do
    echo
    echo "== GET $path"
    wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$DURATION" -H "authorization: Bearer $token" "$base$path" |
        tee "$work/wrk.txt"
    if grep -qE "Non-2xx or 3xx responses|Socket errors" "$work/wrk.txt"; then
        echo "bench-dashboard: GET $path had failed requests" >&2
        failed+=("GET $path (cached: $(grep -E 'Non-2xx|Socket errors' "$work/wrk.txt" | tr -s ' ' | paste -sd ';'))")
    else
        cached_p99[$path]="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
    fi
done

echo
echo "bench-dashboard: summary ($BOTS bots, $ORDERS orders)"
for path in "${ENDPOINTS[@]}"; do
    echo "  GET $path: cold ${cold_worst[$path]:-failed}; cached p99 ${cached_p99[$path]:-failed}"
done
if ((${#failed[@]})); then
    echo "bench-dashboard: ${#failed[@]} measurement(s) failed:" >&2
    printf '  %s\n' "${failed[@]}" >&2
    exit 1
fi
