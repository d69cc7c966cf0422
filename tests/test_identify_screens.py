"""`mpp admin device identify` on the screens: the call display and the kiosk, each a real
`mpp edge --simulate` process, flash a frame and an "IDENTIFIKASI …" banner, seen in
their saved screenshots, and end it by themselves (a real broker and `mpp hub run`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from edge.identify import BLACK, YELLOW
from edge.simulation.control import ControlClient, socket_path
from firmware_config.inventory import Inventory
from mpp.process import EdgeProcess
from tests.admin_fixtures import Building, shared_clock, start_building

DEVICES = Path(__file__).resolve().parent.parent / "firmware_config" / "devices"
OUTPUT = Path(__file__).resolve().parent / "output" / "identify"


@pytest.fixture(scope="module")
def building(tmp_path_factory: pytest.TempPathFactory, inventory: Inventory) -> Iterator[Building]:
    made = start_building(tmp_path_factory.mktemp("identify"), inventory)
    with shared_clock(made.env):
        yield made
    made.stop()


def _framed(png: Path) -> tuple[bool, int]:
    """Whether the screenshot has the identify frame (corners yellow or black), and how many
    yellow pixels its top quarter holds (the banner's lettering and border)."""
    with Image.open(png) as image:
        rgb = image.convert("RGB")
    width, height = rgb.size
    corners = [rgb.getpixel(p) for p in ((1, 1), (width - 2, 1), (1, height - 2))]
    framed = all(tuple(c) in (YELLOW, BLACK) for c in corners)
    top = np.asarray(rgb.crop((0, 0, width, height // 4)))
    yellow = int(np.all(top == np.array(YELLOW, dtype=np.uint8), axis=-1).sum())
    return framed, yellow


def test_identify_flashes_the_call_display_and_the_kiosk(
    building: Building, tmp_path: Path
) -> None:
    screens = {
        "display-02": tmp_path / "display-02.png",
        "kiosk-02": tmp_path / "kiosk-02.png",
    }
    agents = {
        device: EdgeProcess.on(
            building.broker, DEVICES / f"{device}.toml", tmp_path, env=building.env
        )
        for device in screens
    }
    try:
        for device, agent in agents.items():
            agent.start()
            building.hub.wait_for(f"device {device} online", 30)
        for device in screens:
            building.admin_ok("device", "identify", device)
        OUTPUT.mkdir(parents=True, exist_ok=True)
        for device, agent in agents.items():
            agent.wait_for(f"identify: IDENTIFIKASI {device}", 15)
            with ControlClient(socket_path(tmp_path, device)) as hand:
                banner = hand.ask("status")["identifying"]
            assert banner is not None and banner[0] == f"IDENTIFIKASI {device}", banner
            framed, yellow = _framed(screens[device])
            assert framed, f"{device}: no identify frame in its screenshot"
            assert yellow > 2000, f"{device}: no banner lettering ({yellow} yellow pixels)"
            shutil.copy(screens[device], OUTPUT / f"{device}.png")
        for device, agent in agents.items():
            agent.wait_for("identify: ended", 20)  # the hub asked for 10 s
            assert not _framed(screens[device])[0], f"{device}: the frame stayed"
            with ControlClient(socket_path(tmp_path, device)) as hand:
                assert hand.ask("status")["identifying"] is None
    finally:
        for agent in agents.values():
            agent.stop()
