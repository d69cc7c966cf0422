"""The rendered ACL and passwords, proven against a real Mosquitto."""

from __future__ import annotations

from collections.abc import Callable

from paho.mqtt.reasoncodes import ReasonCode

from mqtt_broker.local import LocalBroker
from tests.mqtt_client import RecordingClient

Factory = Callable[..., RecordingClient]

BAD_CREDENTIALS = 134  # MQTT 5 "Bad user name or password"
NOT_AUTHORISED = 135  # MQTT 5 "Not authorized"


def _refused(reason: ReasonCode | None) -> bool:
    return reason is not None and reason.value in (BAD_CREDENTIALS, NOT_AUTHORISED)


def test_anonymous_client_is_refused(broker: LocalBroker) -> None:
    client = RecordingClient(
        broker.host, broker.port, None, None, client_id="anon", tls=broker.tls()
    )
    try:
        assert _refused(client.connect())
        assert not client.connected.is_set()
    finally:
        client.stop()


def test_wrong_password_is_refused(mqtt_client: Factory) -> None:
    client = mqtt_client("counter-01", "not-the-password", connect=False)
    assert _refused(client.connect())


def test_unknown_user_is_refused(mqtt_client: Factory) -> None:
    client = mqtt_client("counter-99", "whatever", connect=False)
    assert _refused(client.connect())


def _assert_blocked(
    sender: RecordingClient, watcher: RecordingClient, topic: str, marker_topic: str
) -> None:
    """Publish on ``topic`` then on an allowed ``marker_topic``; only the marker arrives.

    Mosquitto delivers one client's messages in order, so once the marker is
    in, a message that had been let through would already be there too.
    """
    sender.publish(topic, b'{"spoof": true}')
    sender.publish(marker_topic, b'{"marker": true}')
    watcher.wait_for(marker_topic)
    assert topic not in watcher.topics()


def test_device_cannot_publish_on_another_devices_topics(mqtt_client: Factory) -> None:
    hub = mqtt_client("hub")
    assert not hub.subscribe("mpp/device/+/cmd")[0].is_failure
    assert not hub.subscribe("mpp/device/+/status")[0].is_failure
    counter = mqtt_client("counter-01")
    _assert_blocked(counter, hub, "mpp/device/counter-02/cmd", "mpp/device/counter-01/cmd")
    _assert_blocked(counter, hub, "mpp/device/kiosk-01/status", "mpp/device/counter-01/status")


def test_device_cannot_publish_admin_or_hub_topics(mqtt_client: Factory) -> None:
    hub = mqtt_client("hub")
    hub.subscribe("mpp/admin/+/cmd")
    hub.subscribe("mpp/device/+/cmd")
    display = mqtt_client("display-01")
    display.subscribe("mpp/state/counter/+")
    display.subscribe("mpp/hub/status")
    counter = mqtt_client("counter-01")
    _assert_blocked(counter, hub, "mpp/admin/admin/cmd", "mpp/device/counter-01/cmd")
    counter.publish("mpp/state/counter/1", b"{}", retain=True)
    counter.publish("mpp/hub/status", b"{}", retain=True)
    hub.publish("mpp/state/counter/2", b"{}")
    display.wait_for("mpp/state/counter/2")
    assert "mpp/state/counter/1" not in display.topics()
    assert "mpp/hub/status" not in display.topics()


def test_display_may_not_send_commands(mqtt_client: Factory) -> None:
    hub = mqtt_client("hub")
    hub.subscribe("mpp/device/+/cmd")
    hub.subscribe("mpp/device/+/status")
    display = mqtt_client("display-01")
    _assert_blocked(display, hub, "mpp/device/display-01/cmd", "mpp/device/display-01/status")


def test_device_cannot_read_another_devices_replies(mqtt_client: Factory) -> None:
    counter = mqtt_client("counter-01")
    counter.subscribe("mpp/device/counter-02/reply")
    counter.subscribe("mpp/device/counter-01/reply")
    hub = mqtt_client("hub")
    hub.publish("mpp/device/counter-02/reply", b'{"secret": 2}')
    hub.publish("mpp/device/counter-01/reply", b'{"mine": 1}')
    counter.wait_for("mpp/device/counter-01/reply")
    assert "mpp/device/counter-02/reply" not in counter.topics()


def test_admin_can_use_admin_topics_and_hub_answers(mqtt_client: Factory) -> None:
    hub = mqtt_client("hub")
    hub.subscribe("mpp/admin/+/cmd")
    admin = mqtt_client("admin")
    admin.subscribe("mpp/admin/admin/reply")
    assert not admin.publish("mpp/admin/admin/cmd", b'{"ping": 1}').is_failure
    assert hub.wait_for("mpp/admin/admin/cmd").payload == b'{"ping": 1}'
    hub.publish("mpp/admin/admin/reply", b'{"pong": 1}')
    assert admin.wait_for("mpp/admin/admin/reply").payload == b'{"pong": 1}'


def test_hub_state_reaches_devices_that_read_it(mqtt_client: Factory) -> None:
    kiosk = mqtt_client("kiosk-01")
    kiosk.subscribe("mpp/state/service/+")
    hub = mqtt_client("hub")
    hub.publish("mpp/state/service/DUK-KTP", b'{"waiting": 3}')
    assert kiosk.wait_for("mpp/state/service/DUK-KTP").payload == b'{"waiting": 3}'


def test_cloned_client_id_cannot_kick_another_device(
    mqtt_client: Factory, broker: LocalBroker
) -> None:
    """With ``use_username_as_clientid`` a copied SD card cannot take over an id."""
    original = mqtt_client("counter-02")
    original.subscribe("mpp/hub/status")
    impostor = RecordingClient(
        broker.host,
        broker.port,
        "counter-01",
        broker.password("counter-01"),
        client_id="counter-02",
        tls=broker.tls("counter-01"),
    )
    try:
        reason = impostor.connect()
        assert reason is not None and not reason.is_failure
        hub = mqtt_client("hub")
        hub.publish("mpp/hub/status", b"{}")
        original.wait_for("mpp/hub/status")
        assert not original.disconnected.is_set()
    finally:
        impostor.stop()


def test_hub_can_use_the_loopback_listener(broker: LocalBroker) -> None:
    client = RecordingClient(broker.host, broker.local_port, "hub", broker.password("hub"))
    try:
        reason = client.connect()
        assert reason is not None and not reason.is_failure
    finally:
        client.stop()


def test_only_the_upstream_account_pushes_bookings_and_reads_their_answer(
    mqtt_client: Factory,
) -> None:
    hub = mqtt_client("hub")
    hub.subscribe("mpp/upstream/bookings")
    hub.subscribe("mpp/device/+/cmd")
    kiosk = mqtt_client("kiosk-01")
    _assert_blocked(kiosk, hub, "mpp/upstream/bookings", "mpp/device/kiosk-01/cmd")
    admin_account = mqtt_client("admin")
    admin_account.subscribe("mpp/upstream/reply")
    upstream = mqtt_client("upstream")
    upstream.subscribe("mpp/upstream/reply")
    _assert_blocked(upstream, hub, "mpp/device/counter-01/cmd", "mpp/upstream/bookings")
    assert hub.wait_for("mpp/upstream/bookings").payload == b'{"marker": true}'
    hub.publish("mpp/upstream/reply", b'{"stored": 1}')
    upstream.wait_for("mpp/upstream/reply")
    assert "mpp/upstream/reply" not in admin_account.topics()
