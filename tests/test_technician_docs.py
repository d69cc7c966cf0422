"""What docs/technician.md and the README tell a technician, checked against the repository.

The figures and defaults a technician plans a building with (how many counter
units and signature pads the sample has, the broker port a device dials) are
read from the bundled inventory, the site and the schema, not restated by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

from firmware_config.inventory import load_inventory
from firmware_config.schema import TLS_PORT, MqttSettings
from hub.site.loader import DEFAULT_SITE, load_site
from protocol.roles import Role

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs/technician.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _one(pattern: str, text: str) -> str:
    found = re.findall(pattern, " ".join(text.split()))
    assert len(found) == 1, f"{pattern!r}: {found}"
    return found[0]


def test_the_sample_building_is_described_as_it_is() -> None:
    inventory = load_inventory(ROOT / "firmware_config")
    site = load_site(DEFAULT_SITE)
    counters = [d for d in inventory.devices if d.role == Role.COUNTER]
    pads = [d for d in inventory.devices if d.role == Role.SIGNATURE_PAD]
    assert len(counters) == len(site.counters)
    for text in (GUIDE, README):
        assert int(_one(r"counter unit for each of the (\d+) counters", text)) == len(counters)
    assert int(_one(r"and (\d+) signature pads, one at each counter", GUIDE)) == len(pads)
    assert int(_one(r"the (\d+) signature pads\)", README)) == len(pads)
    lokets = sorted(pad.signature_pad_unit().counter for pad in pads)
    assert _one(r"court papers: lokets ([^)]*)\)", GUIDE) == "1–6, 13 and 21"
    assert lokets == [1, 2, 3, 4, 5, 6, 13, 21]


def test_the_device_table_gives_the_broker_port_a_device_dials() -> None:
    assert MqttSettings().port == TLS_PORT
    row = _one(r"\| `\[mqtt\]` \|[^\n]*?\| ([^|]*) \|", GUIDE)
    assert f"TLS on {TLS_PORT}" in row and "1883 only with" in row


def test_the_documented_commands_name_no_file_outside_the_repository() -> None:
    for path in ("README.md", "docs/technician.md", "docs/admin.md"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "/work/" not in text, path
    for name in re.findall(r"`((?:hub|bench|firmware_config)/[\w/.-]+\.(?:toml|py))`", GUIDE):
        assert (ROOT / name).is_file(), name
