"""The pad's input device coming and going: udev events, reduced to what the pad needs.

A tablet or touch screen plugged in makes the kernel add an ``input`` device
and udev announce it (``ACTION=add``, ``DEVNAME=/dev/input/eventN``, with the
USB ids in ``ID_VENDOR_ID`` / ``ID_MODEL_ID``); unplugging announces
``remove``. :class:`UdevWatch` listens with a pyudev ``Monitor`` filtered to
subsystem ``input`` and hands each event's properties (a plain mapping, as
``udevadm monitor --property`` prints them) to the pen, which opens the new
node at once: no polling while udev runs. Where no udev daemon runs (a
container, a minimal image: no ``/run/udev/control``) the pen looks for its
device every second instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)
UdevEvent = Mapping[str, str]
UDEV_RUNNING = Path("/run/udev/control")  # udevd's socket: events are being sent


class UdevSource(Protocol):
    """Calls back with each udev event of subsystem ``input`` until stopped."""

    def start(self, on_event: Callable[[UdevEvent], None]) -> bool: ...
    def stop(self) -> None: ...


def concerns_pad(event: UdevEvent, usb_id: str | None) -> str | None:
    """The event node an ``add``/``remove`` event is about, if it may be the pad.

    Only ``/dev/input/event*`` nodes are read (the parent ``inputN`` and the
    legacy ``mouseN``/``jsN`` nodes are not); with a ``usb_id`` from the device
    file, only nodes of that vendor and product. Which of the remaining nodes is
    the pad (its name and axes) is checked on the opened device.
    """
    if event.get("ACTION") not in ("add", "remove") or event.get("SUBSYSTEM") != "input":
        return None
    node = event.get("DEVNAME", "")
    if not node.startswith("/dev/input/event"):
        return None
    if usb_id is not None:
        vendor, product = usb_id.lower().split(":")
        ids = (event.get("ID_VENDOR_ID", "").lower(), event.get("ID_MODEL_ID", "").lower())
        if ids != (vendor, product):
            return None
    return node


class UdevWatch:
    """pyudev's ``Monitor`` on subsystem ``input``, observed on its own thread."""

    def __init__(self) -> None:
        self._observer: Any = None

    def start(self, on_event: Callable[[UdevEvent], None]) -> bool:
        """False (and the pen polls) where udev does not run or cannot be listened to."""
        if not UDEV_RUNNING.exists():
            log.info(
                "no udev daemon here (%s missing): the pen is looked for every second", UDEV_RUNNING
            )
            return False
        try:
            import pyudev

            monitor = pyudev.Monitor.from_netlink(pyudev.Context())
            monitor.filter_by("input")
            monitor.start()  # before the observer, or the first event may be lost

            def relay(device: Any) -> None:
                on_event({**dict(device.properties), "ACTION": str(device.action or "")})

            self._observer = pyudev.MonitorObserver(monitor, callback=relay, name="pad-hotplug")
            self._observer.start()
        except Exception as error:  # no netlink socket for us: poll instead
            log.info("no udev hot-plug monitor (%s): the pen is looked for every second", error)
            return False
        return True

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer = None
