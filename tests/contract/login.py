"""Registers the contract fuzz's user and prints its access token (argument: the server's base URL)."""

import json
import sys
import urllib.request


def post(base, path, body):
    request = urllib.request.Request(
        base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def main():
    base = sys.argv[1]
    user = {"email": "contract@example.com", "password": "correct horse 42"}
    post(base, "/api/auth/register", {**user, "name": "Contract", "accept_terms": True, "accept_privacy": True})
    print(post(base, "/api/auth/login", user)["access_token"])


if __name__ == "__main__":
    main()
