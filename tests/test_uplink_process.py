"""The uplink end to end, every part a process: site Mosquittos bridged to a regional
Mosquitto, ``mpp hub run``, ``mpp upstream run``. The clock only bounds the waits."""

from __future__ import annotations

from pathlib import Path

from tests.uplink_fixtures import (
    received,
    regional,
    start_receiver,
    start_site,
    wait_until,
)

SITE = "mpp-lampung-timur"
DELIVERY_S = 60.0


def test_ratings_reach_the_receiver_through_the_bridge(tmp_path: Path) -> None:
    upstream = regional(tmp_path / "regional", [SITE])
    receiver = start_receiver(tmp_path, upstream)
    site = start_site(tmp_path / "site", SITE, upstream)
    try:
        tickets = site.serve_and_rate(3)
        wait_until(
            lambda: len(received(tmp_path / "upstream.db", SITE, "ratings")) == 3,
            DELIVERY_S,
            "3 ratings upstream",
        )
        wait_until(lambda: site.waiting() == 0, DELIVERY_S, "the outbox to empty")
        items = received(tmp_path / "upstream.db", SITE, "ratings")
        assert [seq for seq, _, _ in items] == [1, 2, 3]
        assert [payload["ticket_id"] for _, _, payload in items] == tickets
    finally:
        site.stop()
        receiver.stop()
        upstream.stop()
