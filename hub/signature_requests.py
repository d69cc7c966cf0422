"""Ask the counter's pad for a signature when a ticket of a flagged service is finished.

A service with ``needs_signature`` hands a document over; once its ticket is
``done`` at a counter that has a pad (the pad's device file names the counter),
the hub records ``signature.requested`` in the same transaction as the finish
(so a restart still knows it asks) and, after the commit, sends the pad
``signature.request``. The request stays open until the signature is stored,
the officer finishes without it (``signature.waived``, with a reason) or the
site's ``signatures.request_timeout_s`` passes (``signature.expired``); while
open it is sent again whenever the pad comes (back) online, and the counter's
retained state carries it so the counter unit shows it. The request id is
derived from the ticket, so asking again asks for the same signature. A ticket
finished without a pad at its counter is logged; the officer hands over as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from uuid import NAMESPACE_URL, UUID, uuid5

from hub.events import (
    Event,
    SignatureExpired,
    SignatureRequested,
    SignatureStored,
    SignatureWaived,
    TicketDone,
)
from hub.site.schema import Site
from hub.state import OpenSignature, QueueState
from protocol.link import MqttLink
from protocol.models import SignatureAsk, SignatureClosed, SignatureRequest
from protocol.topics import spec

log = logging.getLogger(__name__)


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


def signature_asks(
    site: Site, pads: Mapping[int, str], state: QueueState, events: Iterable[Event], now: datetime
) -> list[SignatureRequested]:
    """``signature.requested`` for each finish among ``events`` that needs a signature.

    ``state`` is the state the events are decided on (their tickets are in it).
    """
    asked: list[SignatureRequested] = []
    for event in events:
        if not isinstance(event, TicketDone):
            continue
        ticket = state.tickets.get(event.ticket_id)
        if ticket is None or not site.service(ticket.service).needs_signature:
            continue
        pad = pads.get(event.counter)
        if pad is None:
            log.info("%s needs a signature but counter %d has no pad", ticket.number, event.counter)
            continue
        asked.append(
            SignatureRequested(
                at=now,
                ticket_id=ticket.ticket_id,
                counter=event.counter,
                pad=pad,
                request_id=request_id(ticket.ticket_id),
                expires_at=now + timedelta(seconds=site.signatures.request_timeout_s),
            )
        )
    return asked


def expired_asks(state: QueueState, now: datetime) -> list[SignatureExpired]:
    return [
        SignatureExpired(at=now, ticket_id=ask.ticket_id, counter=ask.counter)
        for ask in state.signature_asks.values()
        if ask.expires_at <= now
    ]


def counter_ask(site: Site, state: QueueState, counter: int) -> SignatureAsk | None:
    """What the counter unit shows while its hand-over waits for a signature."""
    ask = state.signature_ask_at(counter)
    if ask is None:
        return None
    ticket = state.tickets.get(ask.ticket_id)
    if ticket is None:
        return None
    service = site.service(ticket.service)
    return SignatureAsk(
        request_id=UUID(ask.request_id),
        ticket_id=ask.ticket_id,
        number=ticket.number,
        service=service.code,
        service_name=service.short_name or service.name,
        pad=ask.pad,
        expires_at=ask.expires_at,
    )


def request_message(site: Site, state: QueueState, ask: OpenSignature) -> SignatureRequest | None:
    ticket = state.tickets.get(ask.ticket_id)
    if ticket is None:
        return None
    service = site.service(ticket.service)
    return SignatureRequest(
        request_id=UUID(ask.request_id),
        ticket_id=ticket.ticket_id,
        number=ticket.number,
        counter=ask.counter,
        service=service.code,
        service_name=service.name,
        agency_name=site.agency(service.agency).name,
        document=service.short_name,
        expires_at=ask.expires_at,
    )


class SignatureAsker:
    """Sends the pads what the committed signature events mean for them."""

    def __init__(self, site: Site, link: MqttLink, pads: Mapping[int, str]) -> None:
        self.site = site
        self.link = link
        self.pads = dict(pads)

    def publish(self, state: QueueState, events: Iterable[Event]) -> None:
        """After a commit: ask for each new request, tell the pad of each one closed."""
        for event in events:
            if isinstance(event, SignatureRequested):
                ask = state.signature_asks.get(event.ticket_id)
                if ask is not None:
                    self._ask(state, ask)
            elif isinstance(event, SignatureStored | SignatureWaived | SignatureExpired):
                pad = self.pads.get(event.counter)
                if pad is None:
                    continue
                outcome = {
                    SignatureStored: "stored",
                    SignatureWaived: "waived",
                    SignatureExpired: "expired",
                }[type(event)]
                closed = SignatureClosed(
                    request_id=request_id(event.ticket_id),
                    ticket_id=event.ticket_id,
                    outcome=outcome,  # type: ignore[arg-type]
                )
                self.link.publish(spec("device.sign_request"), closed, device_id=pad)
                log.info("signature for %s %s; told %s", event.ticket_id, outcome, pad)

    def resend(self, state: QueueState, pad: str, now: datetime) -> None:
        """The pad came (back) online: ask again for what is still open for it."""
        for ask in list(state.signature_asks.values()):
            if ask.pad == pad and ask.expires_at > now:
                self._ask(state, ask, again=True)

    def _ask(self, state: QueueState, ask: OpenSignature, again: bool = False) -> None:
        request = request_message(self.site, state, ask)
        if request is None:
            return
        self.link.publish(spec("device.sign_request"), request, device_id=ask.pad)
        word = "again " if again else ""
        log.info("asked %s %sfor the signature for %s", ask.pad, word, request.number)
