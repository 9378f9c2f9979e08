#!/usr/bin/env bash
# The contract fuzz: schemathesis over the whole of openapi.yaml against the real `botfleet`
# binary, authenticated, every check, stateful sequences through the spec's links.
#
# The server runs on the embedded store in a temp data dir, on a free loopback port, with the
# paper exchange; the live exchanges point at a closed loopback port (so they answer 503
# `exchange_unavailable`, never reaching the network) and payments are not configured (503
# `payments_not_configured`). A user is registered and logged in first (seed.py), with one
# context, bot, order and credential whose ids the fuzz uses; its access token is the bearer of
# every secured operation.
#
# Usage: tests/contract/fuzz.sh BOTFLEET_BINARY PYTHON_VENV [schemathesis run options...]
# (scripts/test.sh calls it; `--max-examples 5` makes a quick local run).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="$(realpath "$1")"
venv="$(realpath "$2")"
shift 2

tmp="$(mktemp -d "${TMPDIR:-/tmp}/botfleet-contract.XXXXXX")"
stop() {
    if [[ -n "${server:-}" ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap stop EXIT

free_port() { "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
port="$(free_port)"
closed="http://127.0.0.1:$(free_port)"
base="http://127.0.0.1:$port"

env -i PATH="$PATH" HOME="$tmp" \
    BOTFLEET_HTTP_ADDR="127.0.0.1:$port" \
    BOTFLEET_HTTP_WORKERS=2 \
    BOTFLEET_DATA_DIR="$tmp/data" \
    BOTFLEET_ENVIRONMENT=test \
    BOTFLEET_JWT_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
    BOTFLEET_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64 -w0)" \
    BOTFLEET_BINANCE_BASE_URL="$closed" \
    BOTFLEET_BINANCE_TESTNET_URL="$closed" \
    BOTFLEET_MERCADO_BITCOIN_BASE_URL="$closed" \
    BOTFLEET_EXCHANGE_HTTP_TIMEOUT_MS=2000 \
    BOTFLEET_PAPER_CONTROL=true \
    BOTFLEET_WORKERS=false \
    BOTFLEET_LOG_FORMAT=json \
    "$binary" >"$tmp/server.log" 2>&1 &
server=$!

deadline=$((SECONDS + 60))
until "$venv/bin/python" -c "import urllib.request; urllib.request.urlopen('$base/health/ready', timeout=1)" 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null || ((SECONDS >= deadline)); then
        echo "contract: botfleet did not become ready on $base; its log:" >&2
        tail -50 "$tmp/server.log" >&2
        exit 1
    fi
    sleep 0.2
done

BOTFLEET_CONTRACT_TOKEN="$("$venv/bin/python" "$here/seed.py" "$base" "$tmp/ids")"
export BOTFLEET_CONTRACT_TOKEN

# The committed settings plus the seeded ids: each operation on `/api/<kind>/{id}` takes the
# seeded id most of the time (and generated ones otherwise), and the context's id goes into the
# bodies and filters that take a `context_id`.
config="$tmp/schemathesis.toml"
cp "$here/schemathesis.toml" "$config"
for kind in contexts bots orders credentials; do
    [[ -s "$tmp/ids/$kind" ]] || continue
    cat >>"$config" <<TOML

[dictionaries.$kind]
values = ["$(<"$tmp/ids/$kind")"]

[[operations]]
include-path-regex = '^/api/$kind/\{id\}'
parameters = { "path.id" = { dictionary = "$kind", probability = 0.8 } }
TOML
done
cat >>"$config" <<TOML

[[operations]]
include-path-regex = '^/api/(bots|orders)\$'
parameters = { "body.context_id" = { dictionary = "contexts", probability = 0.8 }, "query.context_id" = { dictionary = "contexts", probability = 0.5 } }
TOML

status=0
(
    cd "$here"
    PYTHONPATH="$here" SCHEMATHESIS_HOOKS=hooks "$venv/bin/schemathesis" --config-file "$config" \
        run "$root/openapi.yaml" --url "$base" --report junit --report-dir "$tmp/report" "$@"
) || status=$?
if ((status != 0)); then
    echo "contract: the server's last log lines:" >&2
    tail -20 "$tmp/server.log" >&2
fi
exit "$status"
