"""A loopback SMTP server for the e-mail tests: aiosmtpd saving each message it receives.

Usage: python tests/smtp_sink.py PORT DIR. Listens on 127.0.0.1:PORT (no TLS, no auth) and
writes every message, as received, to DIR/<n>.eml, and next to it DIR/<n>.json: the envelope
recipients and the headers and bodies as Python's own `email` parser decodes them (an independent
reader of what botfleet sent): {"rcpt_to", "from", "to", "subject", "text", "html",
"content_types"}. Files are written under a temporary name, then renamed, so a reader never sees
half a message. Runs until killed.
"""

import asyncio
import email
import email.policy
import itertools
import json
import pathlib
import sys

from aiosmtpd.controller import Controller


class SaveToDir:
    """aiosmtpd handler: one .eml file per message, numbered in arrival order."""

    def __init__(self, directory: pathlib.Path) -> None:
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        number = next(self.numbers)
        raw = envelope.original_content or envelope.content
        self.write(f"{number:05d}.eml", raw)
        self.write(f"{number:05d}.json", json.dumps(decode(envelope.rcpt_tos, raw)).encode())
        return "250 Message accepted for delivery"

    def write(self, name: str, data: bytes) -> None:
        partial = self.directory / (name + ".part")
        partial.write_bytes(data)
        partial.rename(self.directory / name)


def decode(rcpt_tos, raw: bytes) -> dict:
    """The message's headers and its text and HTML parts, decoded."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return {
        "rcpt_to": list(rcpt_tos),
        "from": str(message["From"]),
        "to": str(message["To"]),
        "subject": str(message["Subject"]),
        "text": text.get_content() if text is not None else None,
        "html": html.get_content() if html is not None else None,
        "content_types": [part.get_content_type() for part in message.walk()],
    }


def main() -> None:
    port, directory = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    directory.mkdir(parents=True, exist_ok=True)
    controller = Controller(SaveToDir(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"smtp_sink listening on 127.0.0.1:{port}", flush=True)
    try:
        asyncio.new_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
