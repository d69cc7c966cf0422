"""A simulated day's load profile (TOML) and the citizens it brings.

A profile file names the total tickets, the arrival share per half hour from
07.30, the demand per service (and a multiplier per agency), the priority,
booking, no-show, walk-out and absence shares, service-time CVs and the
counters present per agency and hour. ``extends = "other.toml"`` starts from
another profile (tables merge key by key). Everything is drawn from one
seeded generator, so one seed gives the same citizens to every policy.
"""

from __future__ import annotations

import math
import random
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from hub.site.schema import Site

SLOT_MINUTES = 30
BOOKING_SLOT_MINUTES = 15


@dataclass(frozen=True)
class Profile:
    name: str
    tickets: int
    arrival_share: list[float]
    demand: dict[str, float]
    agency_multiplier: dict[str, float] = field(default_factory=dict)
    priority_share: float = 0.05
    absent_share: float = 0.04
    transfer_share: float = 0.30
    booking_share: dict[str, float] = field(default_factory=dict)
    booking_no_show: float = 0.15
    booking_late: float = 0.10
    walkout_share: float = 0.04
    walkout_after_min: tuple[float, float] = (60.0, 90.0)
    cv: dict[str, float] = field(default_factory=dict)
    service_time: dict[str, dict[str, float]] = field(default_factory=dict)
    counters_present: dict[str, list[int]] = field(default_factory=dict)

    def cv_of(self, site: Site, service: str) -> float:
        own = self.service_time.get(service, {}).get("cv")
        if own is not None:
            return own
        agency = site.service(service).agency
        return self.cv.get(agency, self.cv.get("default", 0.7))

    def mean_of(self, site: Site, service: str) -> float:
        own = self.service_time.get(service, {}).get("mean")
        return own if own is not None else site.service(service).mean_service_minutes


def load_profile(path: Path) -> Profile:
    data = _merged(path)
    data.pop("extends", None)
    low, high = data.pop("walkout_after_min", (60, 90))
    return Profile(walkout_after_min=(float(low), float(high)), **data)


def _merged(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    parent = data.get("extends")
    if not parent:
        return data
    base = _merged(path.parent / parent)
    for key, value in data.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict) and value:
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


@dataclass(frozen=True)
class Citizen:
    """One visitor: when they come, for what, and how they behave."""

    key: int
    at: datetime
    service: str
    priority: bool
    minutes: float  # time at the counter for their service
    absent: bool  # not there when called
    patience: float | None  # leaves after this many minutes of waiting (None: stays)
    transfers: bool  # continues to the payment counter
    payment_minutes: float
    booking: str | None = None  # booking code, checked in at the kiosk
    slot: datetime | None = None
    stays_away: bool = False  # a booking no-show: never comes


def citizens(site: Site, profile: Profile, seed: int, day_start: datetime) -> list[Citizen]:
    """The day's visitors from 07.30 (``day_start``), sorted by arrival time."""
    rng = random.Random(seed)
    weights = {
        code: share * profile.agency_multiplier.get(site.service(code).agency, 1.0)
        for code, share in profile.demand.items()
    }
    codes, shares = zip(*weights.items(), strict=True)
    total = profile.tickets  # the day's tickets; a multiplier shifts the mix, not the total
    slot_total = sum(profile.arrival_share)
    result: list[Citizen] = []
    key = 0
    for index, share in enumerate(profile.arrival_share):
        for _ in range(_poisson(rng, total * share / slot_total)):
            key += 1
            at = day_start + timedelta(minutes=(index + rng.random()) * SLOT_MINUTES)
            code = rng.choices(codes, shares)[0]
            result.append(_citizen(site, profile, rng, key, at, code))
    return sorted(result, key=lambda c: c.at)


def _citizen(
    site: Site, profile: Profile, rng: random.Random, key: int, at: datetime, code: str
) -> Citizen:
    service = site.service(code)
    booked = rng.random() < profile.booking_share.get(service.agency, 0.0)
    patience = (
        rng.uniform(*profile.walkout_after_min) if rng.random() < profile.walkout_share else None
    )
    payment = "BL-BAYAR"
    citizen = Citizen(
        key=key,
        at=at,
        service=code,
        priority=rng.random() < profile.priority_share,
        minutes=lognormal(rng, profile.mean_of(site, code), profile.cv_of(site, code)),
        absent=rng.random() < profile.absent_share,
        patience=patience,
        transfers=service.continues_to is not None and rng.random() < profile.transfer_share,
        payment_minutes=lognormal(
            rng, profile.mean_of(site, payment), profile.cv_of(site, payment)
        ),
    )
    if not booked:
        return citizen
    return _booked(profile, rng, citizen)


def _booked(profile: Profile, rng: random.Random, citizen: Citizen) -> Citizen:
    """A booking: a slot near the time they would have come; they arrive a little
    early, some late (the hub then queues them as walk-ins), some never."""
    minute = citizen.at.minute - citizen.at.minute % BOOKING_SLOT_MINUTES
    slot = citizen.at.replace(minute=minute, second=0, microsecond=0) + timedelta(minutes=30)
    if rng.random() < profile.booking_late:
        arrives = slot + timedelta(minutes=rng.uniform(16, 45))
    else:
        arrives = slot - timedelta(minutes=rng.uniform(0, 15))
    no_show = rng.random() < profile.booking_no_show
    return Citizen(
        key=citizen.key,
        at=arrives,
        service=citizen.service,
        priority=citizen.priority,
        minutes=citizen.minutes,
        absent=citizen.absent,
        patience=citizen.patience,
        transfers=citizen.transfers,
        payment_minutes=citizen.payment_minutes,
        booking=f"BK{citizen.key:05d}",
        slot=slot,
        stays_away=no_show,
    )


def _poisson(rng: random.Random, mean: float) -> int:
    if mean < 30:  # Knuth: exact for small means
        limit, count, product = math.exp(-mean), 0, rng.random()
        while product > limit:
            count += 1
            product *= rng.random()
        return count
    return max(0, round(rng.gauss(mean, math.sqrt(mean))))


def lognormal(rng: random.Random, mean: float, cv: float) -> float:
    sigma2 = math.log(1 + cv * cv)
    return rng.lognormvariate(math.log(mean) - sigma2 / 2, math.sqrt(sigma2))
