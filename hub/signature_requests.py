"""Ask the counter's pad for a signature when a ticket of a flagged service is finished.

A service with ``needs_signature`` hands a document over; once its ticket is
``done`` at a counter that has a pad (the pad's device file names the counter),
the hub sends that pad ``signature.request`` after the commit. The request id
is derived from the ticket, so asking again (a re-sent finish, a restart) asks
for the same signature. A ticket finished without a pad at its counter is
logged; the officer hands over as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from hub.events import Event, TicketDone
from hub.site.schema import Site
from hub.state import QueueState
from protocol.link import MqttLink
from protocol.models import SignatureRequest
from protocol.topics import spec

log = logging.getLogger(__name__)
ASK_FOR = timedelta(minutes=3)  # how long the pad keeps asking the citizen


def request_id(ticket_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"mpp:signature:{ticket_id}")


def pads_by_counter(devices: Iterable[object]) -> dict[int, str]:
    """Counter number → pad device id, from the inventory's signature pads."""
    from firmware_config.schema import DeviceConfig
    from protocol.roles import Role

    pads: dict[int, str] = {}
    for device in devices:
        assert isinstance(device, DeviceConfig)
        if device.role is Role.SIGNATURE_PAD:
            counter = device.signature_pad_unit().counter
            if counter is not None:
                pads[counter] = device.device_id
    return pads


class SignatureAsker:
    def __init__(self, site: Site, link: MqttLink, pads: Mapping[int, str]) -> None:
        self.site = site
        self.link = link
        self.pads = dict(pads)

    def requests(
        self, state: QueueState, events: Iterable[Event], now: datetime
    ) -> list[tuple[str, SignatureRequest]]:
        """(pad, request) for each committed finish that needs a signature."""
        asked: list[tuple[str, SignatureRequest]] = []
        for event in events:
            if not isinstance(event, TicketDone):
                continue
            ticket = state.tickets.get(event.ticket_id)
            if ticket is None:
                continue
            service = self.site.service(ticket.service)
            if not service.needs_signature:
                continue
            pad = self.pads.get(event.counter)
            if pad is None:
                log.info(
                    "%s needs a signature but counter %d has no pad", ticket.number, event.counter
                )
                continue
            agency = self.site.agency(service.agency)
            asked.append(
                (
                    pad,
                    SignatureRequest(
                        request_id=request_id(ticket.ticket_id),
                        ticket_id=ticket.ticket_id,
                        number=ticket.number,
                        counter=event.counter,
                        service=service.code,
                        service_name=service.name,
                        agency_name=agency.name,
                        document=service.short_name,
                        expires_at=now + ASK_FOR,
                    ),
                )
            )
        return asked

    def ask(self, state: QueueState, events: Iterable[Event], now: datetime) -> None:
        for pad, request in self.requests(state, events, now):
            self.link.publish(spec("device.sign_request"), request, device_id=pad)
            log.info("asked %s for the signature for %s", pad, request.number)
