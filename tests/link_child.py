"""A device process for the last-will test: connects, says "ready", waits to be killed."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from protocol.link import LinkSettings, MqttLink
from protocol.presence import device_presence
from protocol.roles import Role
from protocol.tls import tls_files_in


def main() -> None:
    host, port, username, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    tls = tls_files_in(Path(sys.argv[5]), username) if len(sys.argv) > 5 else None
    link = MqttLink(
        LinkSettings(host, port, username, password).with_tls(tls),
        presence=device_presence(username, Role.COUNTER, "0.1.0"),
    )
    link.start(wait=10)
    print(f"ready {link.session}", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
