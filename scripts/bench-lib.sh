# shellcheck shell=bash
# Shared setup of the load benchmarks (scripts/bench-load.sh, scripts/bench-dashboard.sh), sourced
# after `set -euo pipefail` and `cd` to the repository root. The caller sets BENCH_NAME (the prefix
# of its messages) and may set BIN (a server binary: the release build is then skipped) and
# BENCH_ENV (an array of extra VAR=value settings for the server). It provides:
#
#   bench_init            installs wrk when missing, builds the release server unless BIN is set,
#                         makes the scratch directory $work (removed on exit, the server stopped),
#                         and picks a free loopback port: $port, $base
#   bench_start DIR       launches the server on DIR, waits until it is ready; the milliseconds it
#                         took are left in $ready_ms, its pid in $server
#   bench_stop            stops the server, if running
#   bench_register EMAIL  registers a user (password "bench password 1") and prints its id
#   bench_login EMAIL     prints an access token for that user
#   bench_wrk NAME ARGS…  runs wrk with ARGS, prints its report (kept in $work/wrk.txt) and fails
#                         when wrk reports non-2xx answers or socket errors
#
# Tunables read by bench_wrk: THREADS (1), CONNECTIONS (64), DURATION (20s).

BENCH_NAME="${BENCH_NAME:-bench}"
BIN="${BIN:-}"
if [[ -z "${BENCH_ENV+set}" ]]; then
    BENCH_ENV=()
fi
server=""

bench_init() {
    if ! command -v wrk >/dev/null; then
        echo "$BENCH_NAME: installing wrk" >&2
        apt-get update -qq >/dev/null
        apt-get install -y -qq wrk >/dev/null
    fi
    if [[ -z "$BIN" ]]; then
        cargo build --release -p botfleet-api --bin botfleet
        BIN=target/release/botfleet
    fi
    work="$(mktemp -d)"
    trap 'bench_stop; rm -rf "$work"' EXIT
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    base="http://127.0.0.1:$port"
}

# No subshell: $server must stay set for bench_stop and the callers' memory readings.
bench_start() {
    local t0
    t0=$(date +%s%N)
    env BOTFLEET_HTTP_ADDR="127.0.0.1:$port" BOTFLEET_DATA_DIR="$1" BOTFLEET_LOG_LEVEL=warn \
        BOTFLEET_JWT_SECRET="bench-jwt-secret-0123456789-abcdefghijklmnopqrstuv" \
        BOTFLEET_ENCRYPTION_KEY="MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" \
        "${BENCH_ENV[@]}" "$BIN" >>"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 4000); do
        if curl -fsS "$base/health/ready" >/dev/null 2>&1; then
            ready_ms=$((($(date +%s%N) - t0) / 1000000))
            return
        fi
        sleep 0.005
    done
    echo "$BENCH_NAME: the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
}

bench_stop() {
    if [[ -n "$server" ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
        server=""
    fi
}

json_field() { python3 -c "import json, sys; print(json.load(sys.stdin)[\"$1\"])"; }

bench_register() {
    curl -fsS -H 'content-type: application/json' "$base/api/auth/register" \
        -d "{\"email\":\"$1\",\"password\":\"bench password 1\",\"name\":\"Bench\",\"accept_terms\":true,\"accept_privacy\":true}" |
        json_field id
}

bench_login() {
    curl -fsS -H 'content-type: application/json' "$base/api/auth/login" \
        -d "{\"email\":\"$1\",\"password\":\"bench password 1\"}" | json_field access_token
}

bench_wrk() {
    local name=$1
    shift
    echo
    echo "== $name"
    wrk --latency -t "${THREADS:-1}" -c "${CONNECTIONS:-64}" -d "${DURATION:-20s}" "$@" | tee "$work/wrk.txt"
    if grep -qE "Non-2xx or 3xx responses|Socket errors" "$work/wrk.txt"; then
        echo "$BENCH_NAME: $name had failed requests" >&2
        return 1
    fi
}
