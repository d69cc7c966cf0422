"""Headless pygame for kiosk tests, and a catalogue with service states."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from datetime import UTC, datetime

from hub.site.loader import load_site
from hub.views import catalogue
from protocol.errors import ErrorCode
from protocol.models import Catalogue, ServiceStatus

TOMORROW_0730 = datetime(2026, 11, 24, 0, 30, tzinfo=UTC)  # 07.30 in Lampung (UTC+7)

RESOLUTIONS = {
    "landscape-1920x1080": (1920, 1080),
    "portrait-1080x1920": (1080, 1920),
    "small-1024x600": (1024, 600),
    "medium-1280x800": (1280, 800),
}
# The panels the kiosk image supports (docs/kiosk.md), with their reference screenshots.
SUPPORTED = ("small-1024x600", "medium-1280x800", "portrait-1080x1920")


def site_catalogue() -> Catalogue:
    return catalogue(load_site())


def service_states(cat: Catalogue) -> dict[str, ServiceStatus]:
    states = {}
    for index, service in enumerate(cat.services):
        closed = index % 7 == 3
        states[service.code] = ServiceStatus(
            service=service.code,
            waiting=index % 9,
            estimated_wait_min=(index * 4) % 40,
            open_counters=1,
            accepting=not closed,
            reason="Kuota hari ini sudah habis" if closed else None,
            reason_code=ErrorCode.QUOTA_FULL if closed else None,
            reopens_at=TOMORROW_0730 if closed else None,
        )
    return states
