"""A local SMTP server (aiosmtpd) that counts what it receives, in its own process.

    python -m bench.smtp_sink --port 8025 --out sink.json

Every message's Message-ID is kept; on SIGTERM the counts (received, distinct, first and
last arrival) are written to ``--out``. Nothing is stored or relayed.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import time

from aiosmtpd.controller import Controller

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(\S+)", re.I | re.M)


class Counter:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.first: float | None = None
        self.last: float | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        now = time.time()
        self.first = self.first or now
        self.last = now
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        match = _MESSAGE_ID.search(head)
        self.ids.append(match.group(1).decode() if match else f"<none-{len(self.ids)}>")
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    counter = Counter()
    controller = Controller(counter, hostname="127.0.0.1", port=args.port)
    controller.start()

    def finish(*_args) -> None:
        controller.stop()
        with open(args.out, "w") as handle:
            json.dump({"received": len(counter.ids), "distinct": len(set(counter.ids)),
                       "first": counter.first, "last": counter.last}, handle)
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
