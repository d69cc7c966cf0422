"""Fixtures: a real Mosquitto on free loopback ports, rendered like the hub's.

If mosquitto is missing the tests fail with how to install it; they never skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from firmware_config.inventory import Inventory, load_inventory
from mqtt_broker.local import LocalBroker, start_local_broker
from mqtt_broker.runner import INSTALL_HINT, BrokerStartError, mosquitto_binary
from tests.mqtt_client import RecordingClient

# CI explores the same examples every run (a red CI must be reproducible);
# developers' runs keep exploring new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _require_mosquitto() -> None:
    try:
        mosquitto_binary()
    except BrokerStartError:
        pytest.fail(f"mosquitto is required by the tests: {INSTALL_HINT}", pytrace=False)
    if shutil.which("mosquitto_passwd") is None:
        pytest.fail(f"mosquitto_passwd is required by the tests: {INSTALL_HINT}", pytrace=False)


@pytest.fixture(scope="session")
def inventory() -> Inventory:
    return load_inventory()


def _start(directory: Path, inventory: Inventory) -> LocalBroker:
    _require_mosquitto()
    return start_local_broker(directory, inventory)


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[LocalBroker]:
    """One broker shared by tests that only connect and publish."""
    running = _start(tmp_path_factory.mktemp("broker"), inventory)
    yield running
    running.stop()


@pytest.fixture
def fresh_broker(tmp_path: Path, inventory: Inventory) -> Iterator[LocalBroker]:
    """A broker of the test's own, for tests that stop, restart or retain."""
    running = _start(tmp_path, inventory)
    yield running
    running.stop()


@pytest.fixture
def mqtt_client(broker: LocalBroker) -> Iterator[Callable[..., RecordingClient]]:
    """Factory of connected clients on the shared broker; all stopped afterwards."""
    made: list[RecordingClient] = []

    def make(
        username: str | None,
        password: str | None = None,
        connect: bool = True,
        on: LocalBroker | None = None,
    ) -> RecordingClient:
        target = on or broker
        if password is None and username is not None:
            password = target.password(username)
        client = RecordingClient(
            target.host, target.port, username, password, tls=target.tls(username)
        )
        made.append(client)
        if connect:
            reason = client.connect()
            assert reason is not None and not reason.is_failure, f"{username}: {reason}"
        return client

    yield make
    for client in made:
        client.stop()


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A voice clip set made with espeak-ng, as `mpp display make-clips` does."""
    from edge.display.clips import make_clip_set

    directory = tmp_path_factory.mktemp("clips")
    make_clip_set(directory)
    return directory


@pytest.fixture
def hub_app(
    fresh_broker: LocalBroker, inventory: Inventory, tmp_path: Path
) -> Iterator[Callable[..., object]]:
    """Factory of an in-process hub on the test's broker, clock at Monday 08:00 WIB.

    Like on a hub, it connects to the broker's plain loopback listener.
    """
    from hub.app import HubApp, HubSettings
    from hub.clock import ManualClock
    from hub.site.loader import load_site
    from hub.store import EventStore
    from protocol.link import LinkSettings, MqttLink
    from tests.hub_harness import MONDAY_0800

    made: list[HubApp] = []

    def make(clock: ManualClock | None = None, **kwargs: object) -> HubApp:
        app = HubApp(
            load_site(),
            inventory,
            EventStore(tmp_path / "hub.db"),
            MqttLink(
                LinkSettings(
                    fresh_broker.host, fresh_broker.local_port, "hub", fresh_broker.password("hub")
                )
            ),
            clock=clock or ManualClock(MONDAY_0800),
            settings=HubSettings(tick_s=3600),
            **kwargs,  # type: ignore[arg-type]
        )
        app.start()
        made.append(app)
        return app

    yield make
    for app in made:
        if app.link.connected.is_set():
            app.stop()
