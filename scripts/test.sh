#!/usr/bin/env bash
# The project's test command: every test of the workspace, the MongoDB ones included.
#
# Without BOTFLEET_TEST_MONGODB_URI it installs nx-27017 (the pinned version below), a MongoDB
# wire-protocol server on SQLite, into .venv and runs one on a free loopback port for the duration
# of the run. The production variable MONGODB_URI is never read: tests cannot reach a real database
# by accident, and the test servers it spawns get only what the tests give them. It also installs
# aiosmtpd (pinned below) into .venv: the e-mail tests run a real SMTP server on loopback with it.
# Arguments go to `cargo test`: `scripts/test.sh -p botfleet-tests --test stores -- store_mongo::`.
#
# Without arguments it then runs the API contract checks (tests/contract/README.md): schemathesis
# (pinned below, installed into .venv) over openapi.yaml against the real `botfleet` binary, and
# the TypeScript client check (npm ci from tests/contract/ts). BOTFLEET_SKIP_CONTRACT=1 skips them.
set -euo pipefail
cd "$(dirname "$0")/.."

# The nx-27017 release the MongoDB tests are known to pass on (its gaps are documented in
# docs/architecture.md); bump it deliberately, never by accident.
NX_27017_VERSION=0.8.1
# The schemathesis release the contract fuzz is tuned for (checks, config keys); bump deliberately.
SCHEMATHESIS_VERSION=4.32.5
# The aiosmtpd release the e-mail tests' SMTP server (tests/smtp_sink.py) runs on; bump deliberately.
AIOSMTPD_VERSION=1.4.6
# The production connection string never reaches a test process.
unset MONGODB_URI

# Installs the pinned `package==version` into .venv unless it is there already.
venv_install() {
    if [[ ! -x .venv/bin/python ]]; then
        echo "test.sh: creating .venv" >&2
        python3 -m venv .venv
    fi
    if [[ "$(.venv/bin/python -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p')" != "$2" ]]; then
        echo "test.sh: installing $1==$2 into .venv" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check "$1==$2"
    fi
}

# The client check needs Node.js and npm (Debian packages `nodejs` and `npm`, Node 18 or later):
# installed with apt-get when missing and we may (root, or sudo without a password).
ensure_npm() {
    command -v npm >/dev/null && return
    local sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo -n)
    echo "test.sh: installing the Debian packages nodejs and npm for the client check" >&2
    if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq nodejs npm; } >&2; then
        echo "test.sh: npm is missing and could not be installed; install nodejs and npm (or set BOTFLEET_SKIP_CONTRACT=1)" >&2
        exit 1
    fi
}

# The PDF report tests (infrastructure/src/reports/tests.rs) read the rendered PDFs back with
# pdftotext, pdfinfo and pdftoppm (Debian package `poppler-utils`): installed with apt-get when
# missing and we may (root, or sudo without a password); otherwise the run stops and says so.
ensure_poppler() {
    command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null && command -v pdfinfo >/dev/null && return
    local sudo=()
    [[ "$(id -u)" -eq 0 ]] || sudo=(sudo -n)
    echo "test.sh: installing the Debian package poppler-utils for the PDF report tests" >&2
    if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq poppler-utils; } >&2; then
        echo "test.sh: pdftotext/pdftoppm are missing and could not be installed; install the Debian package poppler-utils" >&2
        exit 1
    fi
}

start_nx_27017() {
    venv_install nx-27017 "$NX_27017_VERSION"
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/botfleet-mongo.XXXXXX")"
    local port
    port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    # Log and pid files go in the temp dir: nx-27017's defaults are shared paths under /tmp.
    .venv/bin/nx-27017 --host 127.0.0.1 -p "$port" --data-dir "$tmp/data" \
        --log-file "$tmp/nx-27017.log" --pid-file "$tmp/nx-27017.pid" >"$tmp/stdout.log" 2>&1 &
    server=$!
    trap stop_nx_27017 EXIT

    local deadline=$((SECONDS + 30))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        if ! kill -0 "$server" 2>/dev/null || ((SECONDS >= deadline)); then
            echo "test.sh: nx-27017 did not start on 127.0.0.1:$port; its output:" >&2
            cat "$tmp/stdout.log" "$tmp/nx-27017.log" >&2 2>/dev/null || true
            exit 1
        fi
        sleep 0.1
    done
    export BOTFLEET_TEST_MONGODB_URI="mongodb://127.0.0.1:$port"
    echo "test.sh: nx-27017 listening at $BOTFLEET_TEST_MONGODB_URI" >&2
}

stop_nx_27017() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$tmp"
}

ensure_poppler
if [[ -z "${BOTFLEET_TEST_MONGODB_URI:-}" ]]; then
    start_nx_27017
fi

# The e-mail tests start their own SMTP server (aiosmtpd) on loopback with this Python.
venv_install aiosmtpd "$AIOSMTPD_VERSION"
export BOTFLEET_TEST_PYTHON="$PWD/.venv/bin/python"

# The whole workspace unless the caller picked packages.
scope=(--workspace)
for arg in "$@"; do
    case "$arg" in
        -p | -p?* | --package | --package=*) scope=() ;;
    esac
done
cargo test ${scope[@]+"${scope[@]}"} --all-targets "$@"

# The API contract checks, on a whole run only.
if [[ $# -eq 0 && "${BOTFLEET_SKIP_CONTRACT:-}" != 1 ]]; then
    echo "test.sh: contract fuzz (schemathesis $SCHEMATHESIS_VERSION) against the botfleet binary" >&2
    venv_install schemathesis "$SCHEMATHESIS_VERSION"
    cargo build --quiet -p botfleet-api --bin botfleet
    tests/contract/fuzz.sh "${CARGO_TARGET_DIR:-target}/debug/botfleet" .venv
    echo "test.sh: TypeScript client check" >&2
    ensure_npm
    tests/contract/client.sh
fi
