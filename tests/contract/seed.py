"""Seeds the contract fuzz's account and prints its access token.

Usage: seed.py BASE_URL IDS_DIR. Registers and logs in a user, then creates one resource of each
kind the fuzz would otherwise only reach by chance (a paper context, a bot in it, a paper order,
a credential) and writes each id to IDS_DIR/<kind>, one per line: fuzz.sh binds them as
schemathesis dictionaries, so operations on `{id}` reach their logic instead of answering 404.
"""

import json
import pathlib
import sys
import urllib.error
import urllib.request


def call(base, path, body, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def main():
    base, ids = sys.argv[1], pathlib.Path(sys.argv[2])
    ids.mkdir(parents=True, exist_ok=True)
    user = {"email": "contract@example.com", "password": "correct horse 42"}
    call(base, "/api/auth/register", {**user, "name": "Contract", "accept_terms": True, "accept_privacy": True})
    token = call(base, "/api/auth/login", user)["access_token"]

    context = call(base, "/api/contexts", {"exchange": "mercado_bitcoin", "symbol": "BTC-BRL", "mode": "paper"}, token)
    smart = {
        "mode": {"type": "continuous", "interval_seconds": 60},
        "purchase_amount": "100",
        "allocated_balance": "1000",
        "risk": {"take_profit_percent": "1", "stop_loss_hard_percent": "2"},
    }
    bot = call(base, "/api/bots", {"context_id": context["id"], "kind": "smart", "name": "seed", "config": smart}, token)
    order = call(
        base,
        "/api/orders",
        {"context_id": context["id"], "side": "buy", "type": "limit", "quantity": "0.001", "price": "1000"},
        token,
    )
    seeded = {"contexts": context["id"], "bots": bot["id"], "orders": order["id"]}
    try:
        credential = {"exchange": "binance", "api_key": "contract-key-0001", "api_secret": "contract-secret-0001"}
        seeded["credentials"] = call(base, "/api/credentials", credential, token)["id"]
    except urllib.error.HTTPError as err:
        print(f"seed: no credential ({err.code}); its operations are fuzzed with generated ids", file=sys.stderr)
    for kind, value in seeded.items():
        (ids / kind).write_text(value + "\n")
    print(token)


if __name__ == "__main__":
    main()
