"""The demo's simulated people: citizens at the kiosks, officers at the counters.

They act only through the simulated hardware of the ``mpp edge --simulate``
processes (control sockets: a finger on a MockFactory pin, a tap on the
kiosk's touch screen, the simulated pen on a signature pad), so everything
they cause goes through the real agents, the broker and the hub. Each thing a
person does is one log line. A citizen handed a document that needs a
signature signs on the counter's pad when it asks (sometimes starting again
with Ulangi; now and then refusing, and the officer hands over without the
signature after a while, with Lewati).
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edge.counter.model import NOT_LISTED
from edge.simulation.control import ControlClient, socket_path
from hub.site.schema import Site
from mpp.demo_bookings import DemoBooking
from protocol.clock import wall_now

log = logging.getLogger("mpp.demo")
POPULAR = (
    "DUK-KTP",
    "DUK-KK",
    "DUK-AKTA",
    "POL-SKCK",
    "POL-SIM",
    "BL-BAYAR",
    "BPJSKES-DAFTAR",
    "PTSP-NIB",
)
PRIORITY_SHARE = 0.1
NO_SHOW_SHARE = 0.05
TRANSFER_SHARE = 0.3
RATING_SHARE = 0.7
SIGN_AGAIN_SHARE = 0.1  # the citizen starts the signature again (Ulangi)
REFUSE_SIGN_SHARE = 0.05  # the citizen will not sign: the officer skips it (Lewati)
WAIT_FOR_SIGNATURE = 4  # officer's looks at the unit before skipping an unsigned hand-over


@dataclass(frozen=True)
class Day:
    """How many citizens come and how: the demo's open-ended day by default.

    A bench (bench/soak.py) runs a fixed day as fast as the devices allow: ``tickets``
    citizens in all, at most ``backlog`` tickets waiting beyond those called and
    handled (so the queue stays a building's, not 800 at once), each citizen tapping
    away the previous ticket's screen (``hurry``) instead of waiting its 6 s.
    """

    tickets: int | None = None
    backlog: int | None = None
    hurry: bool = False
    services: tuple[str, ...] = POPULAR


def on_duty(site: Site, counters: list[int]) -> dict[int, str]:
    """Who staffs each counter today: the agency's officers in the site file's order, one
    per counter; a counter beyond its agency's list signs in as "Tanpa nama" (a newcomer)."""
    free: dict[str, list[str]] = {}
    for officer in site.officers:
        free.setdefault(officer.agency, []).append(officer.name)
    staffed: dict[int, str] = {}
    for number in sorted(counters):
        names = free.get(site.counter(number).agency, [])
        staffed[number] = names.pop(0) if names else NOT_LISTED.name
    return staffed


class People:
    """Citizens and officers on their own threads until :meth:`stop`."""

    def __init__(
        self,
        site: Site,
        devices_dir: Path,
        kiosks: list[str],
        counters: dict[int, str],
        seed: int = 1,
        pace: float = 1.0,
        day: Day | None = None,
        pads: dict[str, int | None] | None = None,
        bookings: list[DemoBooking] | None = None,
    ) -> None:
        """``pads``: signature pad → its counter, for the citizens who sign there;
        ``bookings``: today's online bookings, whose citizens check in at a kiosk."""
        self.site, self.devices_dir, self.pace = site, devices_dir, pace
        self.day = day or Day()
        self.random = random.Random(seed)  # noqa: S311 - a simulation, not a secret
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.served = 0
        self.no_shows = 0
        self.taken = 0
        self._clients: list[ControlClient] = []
        self._threads = [
            threading.Thread(target=self._citizens, args=(k,), name=f"citizens-{k}", daemon=True)
            for k in kiosks
        ] + [
            threading.Thread(target=self._officer, args=(n, d), name=f"officer-{n}", daemon=True)
            for n, d in counters.items()
        ] + [
            threading.Thread(target=self._signer, args=(p, n), name=f"signer-{p}", daemon=True)
            for p, n in (pads or {}).items()
        ]
        self.signed = 0
        self.checked_in = 0
        self._on_duty = on_duty(site, list(counters))
        self._bookings = sorted(
            (b for b in bookings or () if b.arrives is not None),
            key=lambda b: b.arrives or b.slot,
        )

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Stop at once: a person waiting on a device is cut off (its socket closed)."""
        self._stop.set()
        with self._lock:
            clients = list(self._clients)
        for client in clients:
            client.shutdown()
        for thread in self._threads:
            if thread.is_alive():  # not started when a device failed to start
                thread.join(0.5)

    # -- helpers ------------------------------------------------------------------------

    def _pause(self, low: float, high: float) -> bool:
        """Wait a random while (scaled by ``pace``); True when the demo is stopping."""
        with self._lock:
            seconds = self.random.uniform(low, high) * self.pace
        return self._stop.wait(seconds)

    def _chance(self, share: float) -> bool:
        with self._lock:
            return self.random.random() < share

    def _pick(self, options: Any) -> Any:
        with self._lock:
            return self.random.choice(options)

    def _client(self, device_id: str) -> ControlClient | None:
        path = socket_path(self.devices_dir, device_id)
        try:
            client = ControlClient(path)
        except OSError as error:
            log.warning("%s: no control socket at %s (%s)", device_id, path, error)
            return None
        with self._lock:
            self._clients.append(client)
        return client

    def _ask(self, client: ControlClient, do: str, **fields: Any) -> dict[str, Any] | None:
        try:
            answer = client.ask(do, **fields)
        except (OSError, ValueError) as error:
            if not self._stop.is_set():
                log.warning("%s: %s failed: %s", client.path.stem, do, error)
            return None
        if not answer.get("ok"):
            log.debug("%s: %s: %s", client.path.stem, do, answer.get("error"))
            return None
        return answer

    # -- citizens -----------------------------------------------------------------------

    def _citizens(self, kiosk: str) -> None:
        client = self._client(kiosk)
        if client is None:
            return
        with client:
            while not self._pause(3, 9):
                booking = self._booked_citizen()
                if booking is not None:
                    self._check_in(kiosk, client, booking)
                    continue
                if not self._may_take():
                    continue
                code = self._pick(self.day.services)
                category = "prioritas" if self._chance(PRIORITY_SHARE) else "reguler"
                answer = self._ask(
                    client, "take", service=code, category=category, hurry=self.day.hurry
                )
                if answer is None:
                    continue
                ticket = answer.get("ticket")
                if ticket is None:
                    log.info("citizen at %s: no ticket for %s: %s", kiosk, code, answer["message"])
                    continue
                with self._lock:
                    self.taken += 1
                ahead = ticket["people_ahead"]
                log.info(
                    "citizen took %s at %s for %s%s: %s ahead, estimate %d min",
                    ticket["number"],
                    kiosk,
                    ticket["service_name"],
                    " (prioritas)" if category == "prioritas" else "",
                    ahead if ahead else "nobody",
                    ticket["estimated_wait_min"],
                )

    def _booked_citizen(self) -> DemoBooking | None:
        """The next citizen with a booking who has arrived at the kiosks, if any."""
        now = wall_now()
        with self._lock:
            if self._bookings and (self._bookings[0].arrives or now) <= now:
                return self._bookings.pop(0)
        return None

    def _check_in(self, kiosk: str, client: ControlClient, booking: DemoBooking) -> None:
        """Scan the booking's QR code at the kiosk (its simulated scanner)."""
        slot = f"{booking.slot:%H.%M}"  # site time: the slot was made in it
        answer = self._ask(client, "scan", code=booking.code)
        if answer is None:
            return
        ticket = answer.get("ticket")
        if ticket is None:
            log.info(
                "citizen with booking %s (%s, slot %s) at %s: %s",
                booking.code, booking.service, slot, kiosk, answer.get("message"),
            )  # fmt: skip
            return
        with self._lock:
            self.checked_in += 1
        log.info(
            "citizen checked in with booking %s at %s: %s for %s, slot %s",
            booking.code, kiosk, ticket["number"], ticket["service_name"], slot,
        )  # fmt: skip

    def _may_take(self) -> bool:
        """Room for one more citizen today (always, in the demo's open-ended day)."""
        day = self.day
        with self._lock:
            if day.tickets is not None and self.taken >= day.tickets:
                return False
            handled = self.served + self.no_shows
            return day.backlog is None or self.taken - handled < day.backlog

    @property
    def handled(self) -> int:
        """Tickets served or marked not come."""
        with self._lock:
            return self.served + self.no_shows

    # -- officers -----------------------------------------------------------------------

    def _officer(self, number: int, device_id: str) -> None:
        client = self._client(device_id)
        if client is None:
            return
        with client:
            self._serve(number, client)

    def _serve(self, number: int, client: ControlClient) -> None:
        opened = self._ask(client, "hold", button="next")
        who = "officer"
        if opened is not None and opened.get("signing_in"):
            # The officer finds their own name in the unit's picker (PINDAH) and signs
            # in: each counter's officer is another person (one officer at two counters
            # is moved by the hub, and the first counter is left without a name).
            wanted = self._on_duty[number]
            for _ in range(len(self.site.officers) + 1):
                if opened is None or opened["signing_in"] == wanted:
                    break
                opened = self._ask(client, "press", button="transfer")
            who = str(opened["signing_in"]) if opened and opened.get("signing_in") else who
            opened = self._ask(client, "press", button="finish")
        if opened is None or opened["state"] != "open":
            log.warning("loket %d did not open: %s", number, opened)
            return
        log.info("%s opened loket %d", who, number)
        press: Callable[..., dict[str, Any] | None] = lambda button: self._ask(  # noqa: E731
            client, "press", button=button
        )
        waited = 0
        while not self._pause(4, 8):
            status = self._ask(client, "status")
            if status is not None and status.get("signature"):
                waited = self._hand_over(number, client, status["signature"], waited)
                continue
            waited = 0
            if status is None or status["current"] is None:
                if status is not None and status["waiting"] > 0:
                    press("next")
                continue
            current, service = status["current"], status["service"]
            if self._pause(10, 30):
                return
            if self._chance(NO_SHOW_SHARE):
                self._no_show(number, client, current)
                continue
            follow = self.site.service(service).continues_to
            can_transfer = follow is not None and follow in status["targets"]
            if can_transfer and self._chance(TRANSFER_SHARE) and self._transfer(client, follow):
                log.info("loket %d: %s served and transferred to %s", number, current, follow)
            elif (done := press("finish")) is not None and done["current"] != current:
                log.info("loket %d: %s served", number, current)
            else:
                continue
            with self._lock:
                self.served += 1
            if self._chance(RATING_SHARE) and not self._pause(1, 3):
                rating = self._pick([2, 3, 3, 3, 4, 4, 1])
                if self._ask(client, "skm", rating=rating) is not None:
                    log.info("citizen at loket %d rated the service %d of 4 (SKM)", number, rating)

    def _hand_over(self, number: int, client: ControlClient, ticket: str, waited: int) -> int:
        """The unit waits for the citizen's signature: wait a few looks, then Lewati
        (TIDAK HADIR opens the reasons, SELESAI confirms the first: Menolak)."""
        if waited < WAIT_FOR_SIGNATURE:
            return waited + 1
        if self._ask(client, "press", button="no_show") is None:
            return waited
        done = self._ask(client, "press", button="finish")
        if done is not None and done.get("signature") is None:
            log.info("loket %d: %s handed over without a signature (Lewati)", number, ticket)
        return 0

    # -- citizens at a signature pad -----------------------------------------------------

    def _signer(self, pad: str, counter: int | None) -> None:
        client = self._client(pad)
        if client is None:
            return
        done: set[str] = set()
        with client:
            while not self._pause(1, 3):
                status = self._ask(client, "status")
                if status is None or status["asked"] is None or status["asked"] in done:
                    continue
                done.add(status["asked"])
                if not self._pause(2, 5):
                    self._sign(client, pad, counter, status["number"])

    def _sign(self, client: ControlClient, pad: str, counter: int | None, number: str) -> None:
        if self._chance(REFUSE_SIGN_SHARE):
            log.info("citizen at loket %s will not sign for %s", counter, number)
            return
        if self._chance(SIGN_AGAIN_SHARE):
            self._ask(client, "sign", strokes=self._signature())
            if self._ask(client, "again") is not None:
                log.info("citizen at loket %s starts the signature again (Ulangi)", counter)
        self._ask(client, "sign", strokes=self._signature())
        answer = self._ask(client, "ok")
        if answer is not None and answer.get("signed"):
            with self._lock:
                self.signed += 1
            log.info(
                "citizen signed for %s at %s (loket %s), sha256 %s…",
                number,
                pad,
                counter,
                str(answer["sha256"])[:12],
            )
        elif answer is not None:
            log.info("signature for %s at %s not taken: %s", number, pad, answer.get("message"))

    def _signature(self) -> list[list[list[float]]]:
        """Two or three strokes of a hand-written name: waves at a random slant and size."""
        import math

        with self._lock:
            shapes = [
                (self.random.uniform(0.1, 0.5), self.random.uniform(0.3, 0.6),
                 self.random.uniform(0.15, 0.35), self.random.uniform(2.5, 5.0),
                 self.random.randint(30, 60))
                for _ in range(self.random.randint(2, 3))
            ]  # fmt: skip
        strokes = []
        for left, middle, width, waves, points in shapes:
            strokes.append(
                [
                    [
                        round(left + width * i / points, 4),
                        round(middle + 0.12 * math.sin(waves * math.pi * i / points), 4),
                        round(0.35 + 0.4 * abs(math.sin(i / 7)), 3),
                    ]
                    for i in range(points + 1)
                ]
            )
        return strokes

    def _no_show(self, number: int, client: ControlClient, current: str) -> None:
        """Call once more (the site's rule), then mark the citizen as not come."""
        if self._ask(client, "press", button="recall") is not None:
            log.info("loket %d: %s called again", number, current)
        if self._pause(5, 10):
            return
        answer = self._ask(client, "press", button="no_show")
        if answer is not None and answer["current"] != current:
            log.info("loket %d: %s did not come (no-show)", number, current)
            with self._lock:
                self.no_shows += 1

    def _transfer(self, client: ControlClient, target: str) -> bool:
        """Open the transfer menu, step to ``target``, confirm with finish."""
        answer = self._ask(client, "press", button="transfer")
        for _ in range(12):
            if answer is None:
                return False
            if answer.get("transfer_to") == target:
                return self._ask(client, "press", button="finish") is not None
            answer = self._ask(client, "press", button="transfer")
        self._ask(client, "press", button="recall")  # recall cancels the menu
        return False
