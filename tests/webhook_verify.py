"""Verifies a botfleet webhook signature independently of the server's code (stdlib hmac).

Usage: webhook_verify.py SECRET < {"header": "t=...,v1=...", "body": "..."}
Exits 0 and prints "ok" when `v1` is HMAC-SHA256(SECRET, "<t>.<body>") in hex, else exits 1.
"""

import hashlib
import hmac
import json
import sys


def verify(secret: str, header: str, body: str) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp, given = parts["t"], parts["v1"]
    expected = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


if __name__ == "__main__":
    delivery = json.load(sys.stdin)
    if verify(sys.argv[1], delivery["header"], delivery["body"]):
        print("ok")
        sys.exit(0)
    print("bad signature")
    sys.exit(1)
