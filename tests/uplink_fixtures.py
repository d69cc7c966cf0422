"""Sites with a bridge to a regional broker, the receiver, and people making items.

Every piece is the real one: a regional Mosquitto (upstream/regional_broker.py),
per site a Mosquitto rendered by ``mpp broker render`` with hub.toml's
``[upstream]`` (its bridge), ``mpp hub run`` and ``mpp upstream run`` as processes.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from firmware_config.credentials import CredentialStore
from firmware_config.inventory import DEFAULT_INVENTORY, load_inventory
from mpp.process import PROJECT_ROOT, HubProcess, ReceiverProcess
from mqtt_broker.bridge import UPLINK_SECRET
from mqtt_broker.local import LOOPBACK, LocalBroker, start_local_broker
from mqtt_broker.runner import MosquittoProcess, free_port
from mqtt_broker.site_ca import ensure_site_tls
from protocol.models import (
    CounterFinish,
    CounterNext,
    CounterOpen,
    PriorityCategory,
    SatisfactionRate,
    SatisfactionRating,
    SurveySubmit,
    TicketPrinted,
    TicketReserve,
)
from protocol.roles import Role
from tests.device_client import DeviceClient
from tests.mqtt_client import RecordingClient
from upstream.receiver.storage import SqliteReceivedItems
from upstream.regional_broker import RECEIVER_ACCOUNT, RegionalBroker

DEFAULT_SITE_ID = "mpp-lampung-timur"
ALERT_ITEMS = 20  # a backlog this long is an alert in the hub's status


def regional(directory: Path, sites: list[str]) -> RegionalBroker:
    """The regional Mosquitto rendered by ``mpp upstream broker render`` on a free loopback
    port, TLS with a CA of its own; started."""
    tls = ensure_site_tls(directory / "tls", "regional", [LOOPBACK])
    port = free_port()
    secrets = directory / "credentials.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "upstream",
            "broker",
            "render",
            "--sites",
            ",".join(sites),
            "--out",
            str(directory),
            "--port",
            str(port),
            "--bind",
            LOOPBACK,
            "--secrets",
            str(secrets),
            "--run-as",
            getpass.getuser(),
            "--ca",
            str(tls.ca_cert),
            "--cert",
            str(tls.server_cert),
            "--key",
            str(tls.server_key),
        ],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    conf = directory / "mosquitto.conf"
    broker = RegionalBroker(
        conf,
        LOOPBACK,
        port,
        CredentialStore(secrets).load(),
        MosquittoProcess(conf, port, LOOPBACK),
        tls.ca_cert,
    )
    broker.start()
    return broker


def site_inventory(directory: Path, site_id: str, host: str, port: int, ca: Path | None) -> Path:
    """The bundled inventory as site ``site_id`` with hub.toml ``[upstream]``."""
    target = directory / "inventory"
    shutil.copytree(DEFAULT_INVENTORY, target)
    accounts = target / "accounts.toml"
    accounts.write_text(
        accounts.read_text(encoding="utf-8").replace(
            f'site_id = "{DEFAULT_SITE_ID}"', f'site_id = "{site_id}"'
        ),
        encoding="utf-8",
    )
    with (target / "hub.toml").open("a", encoding="utf-8") as hub:
        hub.write(
            f'\n[upstream]\nhost = "{host}"\nport = {port}\nalert_items = {ALERT_ITEMS}\n'
            + (f'tls_ca = "{ca}"\n' if ca is not None else "")
        )
    return target


@dataclass
class Site:
    site_id: str
    directory: Path
    inventory: Path
    broker: LocalBroker
    hub: HubProcess
    devices: dict[str, DeviceClient] = field(default_factory=dict)

    @property
    def db(self) -> Path:
        return self.directory / "hub.db"

    def device(self, device_id: str, role: Role) -> DeviceClient:
        if device_id not in self.devices:
            self.devices[device_id] = DeviceClient(self.broker, device_id, role)
        return self.devices[device_id]

    def serve_and_rate(self, count: int, counter: int = 1) -> list[str]:
        """``count`` citizens: a ticket each, called, served, rated. Their ticket ids."""
        kiosk = self.device("kiosk-01", Role.KIOSK)
        unit = self.device(f"counter-{counter:02d}", Role.COUNTER)
        unit.send(CounterOpen)
        tickets = []
        for number in range(count):
            reply = kiosk.ok(TicketReserve, service="DUK-KTP", category=PriorityCategory.REGULAR)
            assert reply.ticket is not None
            kiosk.ok(TicketPrinted, ticket_id=reply.ticket.ticket_id)
            called = unit.ok(CounterNext)
            assert called.counter is not None and called.counter.current is not None
            ticket = called.counter.current.ticket_id
            unit.ok(CounterFinish)
            rating = list(SatisfactionRating)[number % len(SatisfactionRating)]
            unit.ok(SatisfactionRate, ticket_id=ticket, rating=rating)
            if number % 3 == 0:  # every third citizen also fills in the kiosk's survey
                answers = [1 + (number + i) % 4 for i in range(9)]
                kiosk.ok(SurveySubmit, ticket_id=ticket, answers=answers)
            tickets.append(ticket)
        return tickets

    def waiting(self) -> int:
        """Items the hub's outbox still holds (read beside the running hub: WAL)."""
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as db:
            row = db.execute("SELECT COALESCE(SUM(waiting), 0) FROM outbox_streams").fetchone()
        return int(row[0])

    def hub_status(self) -> dict[str, object]:
        """The hub's retained status, as a display connecting now reads it."""
        reader = RecordingClient(
            self.broker.host,
            self.broker.port,
            "display-01",
            self.broker.password("display-01"),
            "status-reader",
            tls=self.broker.tls("display-01"),
        )
        reader.connect()
        try:
            reader.subscribe("mpp/hub/status")
            return json.loads(reader.wait_for("mpp/hub/status").payload)  # type: ignore[no-any-return]
        finally:
            reader.stop()

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``mpp admin …`` as a process against this site's broker."""
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "mpp.cli",
                "admin",
                "--broker",
                f"{self.broker.host}:{self.broker.port}",
                "--secrets",
                str(self.directory / "mqtt-credentials.json"),
                *args,
            ],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "COLUMNS": "200"},
            check=False,
        )

    def stop(self) -> None:
        for device in self.devices.values():
            device.stop()
        self.devices.clear()
        self.hub.stop()
        self.broker.stop()


def start_site(directory: Path, site_id: str, upstream: RegionalBroker) -> Site:
    """Site broker with its bridge, then ``mpp hub run`` (started)."""
    directory.mkdir(parents=True, exist_ok=True)
    inventory = site_inventory(directory, site_id, upstream.host, upstream.port, upstream.ca_file)
    CredentialStore(directory / "mqtt-credentials.json").ensure(
        [UPLINK_SECRET], {UPLINK_SECRET: upstream.passwords[site_id]}
    )
    broker = start_local_broker(directory, load_inventory(inventory))
    hub = HubProcess.on(
        broker, directory / "hub.db", inventory=inventory, log=directory / "hub.log"
    )
    hub.start()
    return Site(site_id, directory, inventory, broker, hub)


def start_receiver(directory: Path, upstream: RegionalBroker) -> ReceiverProcess:
    receiver = ReceiverProcess(
        upstream.port,
        upstream.passwords[RECEIVER_ACCOUNT],
        directory / "upstream.db",
        log=directory / "receiver.log",
        ca=upstream.ca_file,
    )
    receiver.start()
    return receiver


def received(db: Path, site_id: str, stream: str) -> list[tuple[int, str, dict[str, object]]]:
    storage = SqliteReceivedItems(db)
    try:
        return storage.items(site_id, stream)
    finally:
        storage.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` until true (a condition with a deadline, not a sleep)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)
