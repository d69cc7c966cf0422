"""Printer hot-plug: pyudev events reduced to a small record, and the rule that matches them.

Plugging the printer back in makes the kiosk re-check it at once instead of
waiting for the next health check; no restart needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UsbEvent:
    action: str
    subsystem: str
    vendor_id: str | None
    devnode: str | None


def from_pyudev(device: Any) -> UsbEvent:
    properties = device.properties
    return UsbEvent(
        action=str(device.action or ""),
        subsystem=str(device.subsystem or ""),
        vendor_id=properties.get("ID_VENDOR_ID"),
        devnode=device.device_node,
    )


def concerns_printer(event: UsbEvent, vendor_id: str | None, devnode: str) -> bool:
    """True for add/remove events of the ticket printer (usblp node or USB vendor)."""
    if event.action not in ("add", "remove"):
        return False
    if event.devnode is not None and event.devnode == devnode:
        return True
    if event.subsystem == "usbmisc":  # usblp: /dev/usb/lpN
        return True
    return vendor_id is not None and event.vendor_id == vendor_id


class PrinterWatcher:
    """Watches udev for the printer coming and going (where udev is there)."""

    def __init__(
        self, vendor_id: str | None, devnode: str, on_change: Callable[[UsbEvent], None]
    ) -> None:
        self.vendor_id, self.devnode, self.on_change = vendor_id, devnode, on_change
        self._observer: Any = None

    def start(self) -> bool:
        try:
            import pyudev

            context = pyudev.Context()
            monitor = pyudev.Monitor.from_netlink(context)
            monitor.filter_by("usbmisc")
            monitor.filter_by("usb")
            monitor.start()  # before the observer, or the first event may be lost
            self._observer = pyudev.MonitorObserver(
                monitor, callback=self._event, name="printer-hotplug"
            )
            self._observer.start()
            return True
        except Exception as error:  # containers have no udev; health checks still run
            log.info("no udev hot-plug monitor: %s", error)
            return False

    def _event(self, device: Any) -> None:
        event = from_pyudev(device)
        if concerns_printer(event, self.vendor_id, self.devnode):
            self.on_change(event)

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
