"""Cross-entry checks of a site; each message names the entry and the field."""

from __future__ import annotations

from collections import Counter as Tally
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hub.site.schema import Site


def site_problems(site: Site) -> list[str]:
    """Every inconsistency between entries, as ``entry: field: problem`` lines."""
    problems: list[str] = []
    try:
        ZoneInfo(site.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone: unknown time zone {site.timezone!r} (e.g. Asia/Jakarta)")
    agencies = {agency.code for agency in site.agencies}
    services = {service.code for service in site.services}
    problems += _duplicates("agencies", [a.code for a in site.agencies], "code")
    problems += _duplicates("services", [s.code for s in site.services], "code")
    problems += _duplicates("counters", [c.number for c in site.counters], "number")
    problems += _duplicates(
        "counters", [c.device_id for c in site.counters if c.device_id], "device_id"
    )
    problems += _duplicates("categories", [c.code.value for c in site.categories], "code")
    prefix_owner: dict[str, str] = {}
    for index, service in enumerate(site.services):
        where = f"services[{index}] ({service.code})"
        if service.agency not in agencies:
            problems.append(f"{where}: agency: unknown agency {service.agency!r}")
        owner = prefix_owner.setdefault(service.prefix, service.agency)
        if owner != service.agency:
            problems.append(
                f"{where}: prefix: {service.prefix!r} is already used by agency {owner!r}; "
                "a prefix is shared only by services of one agency"
            )
        if service.continues_to is not None and service.continues_to not in services:
            problems.append(f"{where}: continues_to: unknown service {service.continues_to!r}")
    for index, counter in enumerate(site.counters):
        where = f"counters[{index}] ({counter.name})"
        if counter.agency not in agencies:
            problems.append(f"{where}: agency: unknown agency {counter.agency!r}")
        for field in ("primary", "secondary"):
            for position, code in enumerate(getattr(counter, field)):
                if code not in services:
                    problems.append(f"{where}: {field}[{position}]: unknown service {code!r}")
        both = set(counter.primary) & set(counter.secondary)
        if both:
            problems.append(f"{where}: secondary: {sorted(both)} already primary")
    served = {code for counter in site.counters for code in counter.primary + counter.secondary}
    for index, service in enumerate(site.services):
        if service.code not in served:
            problems.append(
                f"services[{index}] ({service.code}): no counter serves it "
                "(add it to a counter's primary or secondary list)"
            )
    problems += _duplicates("officers", [o.nip for o in site.officers], "nip")
    for index, officer in enumerate(site.officers):
        if officer.agency not in agencies:
            problems.append(
                f"officers[{index}] ({officer.nip}): agency: unknown agency {officer.agency!r}"
            )
    if {category.code.value for category in site.categories} != {"reguler", "prioritas"}:
        problems.append("categories: both 'reguler' and 'prioritas' must be defined")
    return problems


def _duplicates(section: str, values: list[object], field: str) -> list[str]:
    return [
        f"{section}: {field}: {value!r} appears {count} times"
        for value, count in Tally(values).items()
        if count > 1
    ]
