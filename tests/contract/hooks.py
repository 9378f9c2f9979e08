"""Schemathesis hooks of the contract fuzz (tests/contract/fuzz.sh): the 5xx rule and the
schema-valid-request rule, each stricter than schemathesis's own where botfleet can say more.

- `only_provider_503s`: a 5xx passes only as a documented 503 whose problem `code` says an
  outside provider is not configured or cannot be reached. Any other 5xx, and a 503 with another
  code (`store_unavailable` means the server broke), fails the run.
- `schema_valid_requests_accepted`: replaces `positive_data_acceptance`. A request generated
  from the schema may be refused only for what no schema can know: an id that is not the caller's
  (404), the state of a resource (409), the plan (402), the rate limits (429), a provider (503),
  a 422 whose every error is one of `DATA_DEPENDENT` below, or a 400 refusing an e-mail token
  the server never issued (`DATA_DEPENDENT_400`). A 400, or a 422 naming a rule
  the schema could have stated (a length, a pattern, a range, an enum), fails the run.
"""

import ast
import re
import threading

import schemathesis
from schemathesis.specs.openapi.checks import is_unexpected_http_status_case

# CPython 3.11's AST converter keeps its recursion counter per interpreter, not per thread
# (python/cpython#106905): two workers describing Hypothesis lambdas at once (`ast.parse`) can
# fail with "SystemError: AST constructor recursion depth mismatch", which Hypothesis then
# reports as a flaky test of whatever operation it was generating. One parse at a time.
_AST_PARSE = ast.parse
_AST_LOCK = threading.Lock()


def _serialised_parse(*args, **kwargs):
    with _AST_LOCK:
        return _AST_PARSE(*args, **kwargs)


ast.parse = _serialised_parse

# Problem codes of a 503 that blames an outside provider, not the server.
PROVIDER_CODES = {
    "exchange_unavailable",
    "payments_not_configured",
    "payment_provider_unavailable",
    # No SMTP server is configured in this run (password recovery, verification resends).
    "email_unavailable",
    # No Telegram bot token is configured in this run (the Telegram link routes).
    "telegram_unavailable",
}

# Refusals of a well-formed request that depend on stored data, on the market or on two fields
# together (JSON Schema has no cross-field rule the generated clients honour); each is a
# business rule stated in the operation's description and in docs/api.md.
DATA_DEPENDENT = {
    # A wrong current password (account deletion, password change).
    "incorrect",
    # The password policy's "two kinds of characters" (Unicode classes; its lengths are in the schema).
    "weak_password",
    # The market is not listed by the exchange, or base and quote are the same asset.
    "unknown_pair",
    "invalid_symbol",
    # Cross-field rules: `quantity` or `quote_amount`, `price` only for limit orders, at least one
    # consent change, a bot config valid for its `kind`, values on the market's tick and step.
    "not_allowed",
    "required",
    # The market's filters, read from the exchange: tick, step, minimum and maximum sizes.
    "off_tick",
    "off_step",
    "below_min_quantity",
    "below_min_notional",
    "above_max_quantity",
    # More than the (paper) account's free balance.
    "insufficient_balance",
    # A webhook URL's host that does not resolve (DNS at the time of the request; the fuzz runs
    # offline, so the spec's own example.com does not resolve there).
    "unresolvable",
}

# Cross-field refusals named by field and code (the code alone is also used for single fields).
DATA_DEPENDENT_FIELDS = {
    # `to` must be after `from` (GET /api/orders; the reports' and exports' trades).
    ("to", "invalid"),
    ("to", "invalid_value"),
    # The trades report's market with the same base and quote (`00_00`): no pattern can say it.
    ("symbol", "invalid_value"),
    # One event type named in two entries with different channels: `uniqueItems` compares whole
    # entries, not one of their properties (indexes are read as `[]`).
    ("preferences[].type", "duplicate_field"),
    # A CPF or CNPJ whose check digits (mod 11) or digit count are wrong: no pattern states them.
    ("payer.identification", "invalid"),
    # Checkout's cross-field rules: card subscriptions are monthly (`period`), PIX and boleto go
    # through Mercado Pago only (`method`).
    ("period", "invalid"),
    ("method", "invalid"),
    # A coupon code that names no coupon (or Stripe promotion code), or one not usable for this
    # plan: stored data (docs/payments.md, "Coupons").
    ("coupon", "invalid"),
    # A coupon's expiry must be in the future: the clock, not a schema, decides.
    ("expires_at", "range"),
    # The dashboard's performance series: hourly points only for windows up to 31 days
    # (`interval=hour` with `window=90d|1y|all`), stated in the parameter's description.
    ("interval", "invalid_value"),
}

# A bot's `config` is checked against its `kind` and the market: the bounds of each setting are
# in docs/bots.md and in the config schemas' descriptions, not yet all in the schema (see README).
CONFIG_PREFIX = "config."

# Problem codes of a 400 that depend on stored data: a single-use token from an e-mail that the
# server never issued, or that was used, superseded or expired (docs/notifications.md).
DATA_DEPENDENT_400 = {
    "reset_token_invalid",
    "reset_token_expired",
    "verification_token_invalid",
    "verification_token_expired",
}

# Statuses a schema-valid request may get besides 2xx/3xx.
ALLOWED = {401, 402, 403, 404, 409, 429, 503}


@schemathesis.check
def only_provider_503s(ctx, response, case):
    """A 5xx must be a documented 503 naming an unconfigured or unreachable provider."""
    status = response.status_code
    if status < 500:
        return None
    documented = str(status) in case.operation.definition.raw.get("responses", {})
    code = _body(response).get("code")
    if status != 503 or not documented or code not in PROVIDER_CODES:
        raise AssertionError(
            f"{status} {code!r}: only a documented 503 with one of {sorted(PROVIDER_CODES)} may be answered"
        )
    return None


@schemathesis.check
def schema_valid_requests_accepted(ctx, response, case):
    """A request the schema allows is refused only for a reason the schema cannot state."""
    meta = case.meta
    if meta is None or is_unexpected_http_status_case(case) or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status in ALLOWED or status >= 500:
        return None
    body = _body(response)
    errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    codes = {error.get("code") for error in errors}
    # A cross-field rule is a 422 on bodies and /api/orders, a 400 `invalid_query` on the reports.
    if status in (400, 422) and errors and all(_data_dependent(error) for error in errors):
        return None
    if status == 400 and body.get("code") in DATA_DEPENDENT_400:
        return None
    raise AssertionError(
        f"a schema-valid request was refused with {status} {body.get('code')!r} "
        f"(field codes {sorted(c for c in codes if c)}): the schema should state that rule"
    )


def _data_dependent(error):
    field, code = re.sub(r"\[\d+\]", "[]", error.get("field") or ""), error.get("code")
    return code in DATA_DEPENDENT or (field, code) in DATA_DEPENDENT_FIELDS or field.startswith(CONFIG_PREFIX)


def _body(response):
    try:
        body = response.json()
    except Exception:  # noqa: BLE001 - not JSON: nothing to read
        return {}
    return body if isinstance(body, dict) else {}
