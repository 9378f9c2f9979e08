#!/usr/bin/env bash
# Notifications load benchmark (issue 16 "Reliability"; docs/performance.md "## Notifications"):
# EVENTS events (default 10,000) raised evenly over DURATION_S seconds (60) for USERS users (10), each with
# a live stream (SSE) open, through the event queue and the relay, on a release build of the
# server running inside the benchmark (tests/benches/events_load.rs). It reports, for in-app and
# for SSE, how many events were delivered and how many are missing, the throughput and the
# delay from raise to delivery (p50, p99, max). Any missing event fails the run (exit 1).
#
# The same events also go out by e-mail, batched, to a real SMTP sink on loopback (aiosmtpd:
# scripts/test.sh installs it in .venv, or set BOTFLEET_TEST_PYTHON), and to one webhook endpoint
# per user on a loopback receiver that answers 500 to the first attempt of FAIL_PERCENT % (20) of
# the events (the first two attempts of a quarter of those), so the server retries them; the
# webhooks' clock runs CLOCK_SPEED (60) times faster, so the backoff passes in seconds. Every event
# must reach both; CHANNELS=0 leaves them out.
#
#   scripts/bench-events.sh                          # embedded store
#   STORE=mongo scripts/bench-events.sh              # MongoDB at BOTFLEET_TEST_MONGODB_URI
#   EVENTS=1000 DURATION_S=10 scripts/bench-events.sh   # a quick check of the script
#   NUDGE=0 scripts/bench-events.sh                  # queued events wait for the relay's tick
#   FAIL_PERCENT=50 scripts/bench-events.sh          # half the webhook deliveries retried
#
# The in-app delay is observed by polling each user's unread count every POLL_MS (100): it is
# accurate to about that much. Figures measured while other builds run are noisy: say so.
set -euo pipefail
cd "$(dirname "$0")/.."

EVENTS="${EVENTS:-10000}"
DURATION_S="${DURATION_S:-60}"
USERS="${USERS:-10}"
POLL_MS="${POLL_MS:-100}"
STORE="${STORE:-embedded}"
# NUDGE=0: leave the queued events to the relay's tick instead of nudging it like a write does.
NUDGE="${NUDGE:-1}"
CHANNELS="${CHANNELS:-1}"
FAIL_PERCENT="${FAIL_PERCENT:-20}"
CLOCK_SPEED="${CLOCK_SPEED:-60}"

if [[ "$STORE" == mongo && -z "${BOTFLEET_TEST_MONGODB_URI:-}" ]]; then
    echo "bench-events: STORE=mongo needs BOTFLEET_TEST_MONGODB_URI" >&2
    exit 2
fi

echo "bench-events: $EVENTS events, $USERS users, ${DURATION_S} s, store $STORE (load: $(cut -d' ' -f1-3 /proc/loadavg))"
flags=()
[[ "$NUDGE" == 0 ]] && flags+=(--no-nudge)
[[ "$CHANNELS" == 0 ]] && flags+=(--no-channels)
exec cargo bench -p botfleet-tests --bench events_load -- \
    --events "$EVENTS" --seconds "$DURATION_S" --users "$USERS" --poll-ms "$POLL_MS" --store "$STORE" \
    --fail-percent "$FAIL_PERCENT" --clock-speed "$CLOCK_SPEED" "${flags[@]}"
