"""Schemathesis hooks of the contract fuzz (tests/contract/fuzz.sh): the one 5xx rule.

The run allows a 503 through `not_a_server_error` (schemathesis.toml) so that this check can
judge it: a 503 passes only when the operation documents it and its problem `code` says a
provider is not configured or cannot be reached. Every other 5xx, and a 503 with another code
(`store_unavailable` means the server broke), fails the run.
"""

import schemathesis

# Problem codes of a 503 that blames an outside provider, not the server.
PROVIDER_CODES = {
    "exchange_unavailable",
    "payments_not_configured",
    "payment_provider_unavailable",
}


@schemathesis.check
def only_provider_503s(ctx, response, case):
    """A 5xx must be a documented 503 naming an unconfigured or unreachable provider."""
    status = response.status_code
    if status < 500:
        return None
    documented = str(status) in case.operation.definition.raw.get("responses", {})
    try:
        code = response.json().get("code")
    except Exception:  # noqa: BLE001 - a body that is not JSON is a failure below
        code = None
    if status != 503 or not documented or code not in PROVIDER_CODES:
        raise AssertionError(
            f"{status} {code!r}: only a documented 503 with one of {sorted(PROVIDER_CODES)} may be answered"
        )
    return None
