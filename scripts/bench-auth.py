#!/usr/bin/env python3
"""Latency of login by e-mail and of refresh by token, one request at a time.

    scripts/bench-auth.py BASE_URL EMAIL PASSWORD [COUNT]

Logs in COUNT times (each from its own client address, sent as X-Forwarded-For: run the server
with BOTFLEET_TRUSTED_PROXIES=127.0.0.1 so the per-address login limit is not what is measured),
then refreshes COUNT times along one chain of refresh tokens (each refresh rotates the token).
Prints the median, p90 and mean of each, in milliseconds. Fails on any answer other than 200.
Login's cost is mostly its argon2 check; what this shows is whether finding the user by e-mail and
the session by token hash grows with the number of users (scripts/bench-load.sh runs it with one
user and with 100,000).
"""

import json
import statistics
import sys
import time
import urllib.request


def post(base, path, body, client):
    request = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", "x-forwarded-for": client},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request) as answer:
        payload = json.load(answer)
        if answer.status != 200:
            raise SystemExit(f"{path} answered {answer.status}")
    return (time.perf_counter() - started) * 1000, payload


def summary(name, millis):
    ordered = sorted(millis)
    p90 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    print(f"{name}: median {statistics.median(ordered):.2f} ms, p90 {p90:.2f} ms, "
          f"mean {statistics.fmean(ordered):.2f} ms ({len(ordered)} requests)")


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    base, email, password = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 40
    logins, refresh_token = [], None
    for n in range(count):
        client = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        took, answer = post(base, "/api/auth/login", {"email": email, "password": password}, client)
        logins.append(took)
        refresh_token = answer["refresh_token"]
    refreshes = []
    for n in range(count):
        client = f"10.200.{n // 256 % 256}.{n % 256}"
        took, answer = post(base, "/api/auth/refresh", {"refresh_token": refresh_token}, client)
        refreshes.append(took)
        refresh_token = answer["refresh_token"]
    summary("login by e-mail", logins)
    summary("refresh by token", refreshes)


if __name__ == "__main__":
    main()
