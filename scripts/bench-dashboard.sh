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
#   BIN=target/release/botfleet SEED=target/debug/deps/dashboard_seed-<hash> scripts/bench-dashboard.sh
#
# Targets (issue 15, docs/performance.md "## Dashboard"): p99 under 20 ms (summary), 50 ms
# (performance) and 1 s (PDF) on the 2-core machine. Installs wrk with apt-get when missing. The
# setup is shared with scripts/bench-load.sh in scripts/bench-lib.sh.
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
# A built seed binary (`cargo bench -p botfleet-tests --bench dashboard_seed --no-run` prints its
# path); when set, it seeds instead of `cargo bench` (which builds the tests crate in release).
SEED="${SEED:-}"
ENDPOINTS=(
    "/api/dashboard/summary"
    "/api/dashboard/performance?window=90d"
    "/api/exports/report.pdf"
)

BENCH_NAME=bench-dashboard
# The seeded bots are running: workflows are scaled far out so the engine does not trade (or
# reach an exchange) during the measurements.
BENCH_ENV=(BOTFLEET_WORKFLOW_INTERVAL_SCALE=100000)
# shellcheck source=scripts/bench-lib.sh
source scripts/bench-lib.sh
bench_init
start() { bench_start "$work/data"; }
stop() { bench_stop; }

mkdir "$work/data"
start
owner="$(bench_register dashboard@example.com)"
stop
echo "bench-dashboard: seeding $BOTS bots and $ORDERS filled orders"
seed_args=(--dir "$work/data" --owner "$owner" --bots "$BOTS" --orders "$ORDERS")
if [[ -n "$SEED" ]]; then
    "$SEED" "${seed_args[@]}"
else
    cargo bench -p botfleet-tests --bench dashboard_seed -- "${seed_args[@]}"
fi
du -sh "$work/data"
start
token="$(bench_login dashboard@example.com)"

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
    if ! bench_wrk "GET $path" -H "authorization: Bearer $token" "$base$path"; then
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
