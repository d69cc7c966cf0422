"""Cross-checks between the inventory (device files, accounts) and a site file.

Each file can be valid on its own and the building still broken: a transfer
button cycling to a service the site lacks, a counter unit no counter knows,
a counter whose unit was never configured. These checks find that before the
devices are installed.

``firmware_config`` must not import ``hub`` (edge devices import this
package), so the site is described here by the few attributes the checks
read (:class:`SiteFacts`); ``hub.site.schema.Site`` has them. The caller
loads the site (see ``mpp.config_site``).

Severity: a site counter whose ``device_id`` names no counter unit is an
error (its officer has no buttons); a site counter with no ``device_id`` at
all is a warning (a counter run from the admin console is allowed).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from firmware_config.inventory import DEVICES_DIR, DeviceFile, InventoryReport
from firmware_config.problems import Problem
from protocol.roles import Role

_LISTED = 5


class SiteCounter(Protocol):
    """The attributes of a site's counter the checks read."""

    @property
    def number(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def device_id(self) -> str | None: ...


class SiteFacts(Protocol):
    """The attributes of a site the checks read (``hub.site.schema.Site`` has them)."""

    @property
    def id(self) -> str: ...
    @property
    def counters(self) -> Sequence[SiteCounter]: ...
    @property
    def services_by_code(self) -> Mapping[str, object]: ...
    @property
    def agencies_by_code(self) -> Mapping[str, object]: ...


SiteLoader = Callable[[Path | None], tuple[Path, SiteFacts]]
"""Loads a site file (``None``: the default site) → its path and contents; raises ConfigError."""


def device_problems(site: SiteFacts, site_file: Path, device: DeviceFile) -> list[Problem]:
    """What in one device file does not fit the site: unknown services, agencies, counter."""
    config = device.config
    problems: list[Problem] = []
    if config.role is Role.COUNTER:
        unit = config.counter_unit()
        default = config.counter is None or "transfer_targets" not in unit.model_fields_set
        for index, code in enumerate(unit.transfer_targets):
            if code not in site.services_by_code:
                hint = _known(code, site.services_by_code)
                if default:
                    hint = f"the default list, set counter.transfer_targets; {hint}"
                problems.append(
                    Problem(
                        device.path,
                        f"counter.transfer_targets[{index}]",
                        f"unknown service {code!r} ({hint})",
                    )
                )
        mine = [counter for counter in site.counters if counter.device_id == config.device_id]
        if mine and unit.number is not None and unit.number != mine[0].number:
            problems.append(
                Problem(
                    device.path,
                    "counter.number",
                    f"{unit.number}, but {site_file} puts {config.device_id} at counter "
                    f"{mine[0].number} ({mine[0].name})",
                )
            )
        if not mine:
            problems.append(
                Problem(
                    device.path,
                    "device_id",
                    f"no counter of site {site.id} has device_id = {config.device_id!r} "
                    f"(set it on that counter in {site_file})",
                )
            )
    if config.role is Role.SIGNATURE_PAD:
        number = config.signature_pad_unit().counter
        if number is not None and not any(c.number == number for c in site.counters):
            problems.append(
                Problem(
                    device.path,
                    "signature_pad.counter",
                    f"site {site.id} has no counter {number}",
                )
            )
    if config.role is Role.DISPLAY:
        for index, code in enumerate(config.display_unit().agencies):
            if code not in site.agencies_by_code:
                problems.append(
                    Problem(
                        device.path,
                        f"display.agencies[{index}]",
                        f"unknown agency {code!r} ({_known(code, site.agencies_by_code)})",
                    )
                )
        for code in config.display_unit().labels:
            if code not in site.agencies_by_code:
                problems.append(
                    Problem(
                        device.path,
                        f"display.labels.{code}",
                        f"unknown agency {code!r} ({_known(code, site.agencies_by_code)})",
                    )
                )
    return problems


def inventory_problems(site: SiteFacts, site_file: Path, report: InventoryReport) -> list[Problem]:
    """Every mismatch between a whole inventory and the site, device files included."""
    problems: list[Problem] = []
    if report.site_id is not None and report.site_id != site.id:
        problems.append(
            Problem(
                report.accounts_file,
                "site_id",
                f"{report.site_id!r} but the site file {site_file} is site {site.id!r}",
            )
        )
    for device in report.devices:
        problems += device_problems(site, site_file, device)
    problems += counter_problems(site, site_file, report)
    return problems


def counter_problems(site: SiteFacts, site_file: Path, report: InventoryReport) -> list[Problem]:
    """Site counters whose unit is missing from the inventory, or is not a counter unit."""
    roles = {device.config.device_id: device.config.role for device in report.devices}
    broken = _unreadable_device_files(report)
    problems: list[Problem] = []
    for index, counter in enumerate(site.counters):
        where = f"counters[{index}] ({counter.name}).device_id"
        device_id = counter.device_id
        if device_id is None:
            problems.append(Problem(site_file, where, "no counter unit assigned", warning=True))
        elif device_id in broken:
            continue  # the device file's own problems are already reported
        elif device_id not in roles:
            problems.append(
                Problem(
                    site_file,
                    where,
                    f"{device_id!r} has no device file in the inventory "
                    f"(expected {report.root / DEVICES_DIR / device_id}.toml)",
                )
            )
        elif roles[device_id] is not Role.COUNTER:
            problems.append(
                Problem(
                    site_file,
                    where,
                    f"{device_id!r} is a {roles[device_id].value} device, not a counter unit",
                )
            )
    return problems


def _unreadable_device_files(report: InventoryReport) -> set[str]:
    """Device ids whose file exists but could not be read (named after the file)."""
    readable = {device.path for device in report.devices}
    files = {Path(problem.file) for problem in report.problems}
    return {
        path.stem
        for path in files
        if path.parent == report.root / DEVICES_DIR and path not in readable
    }


def _known(code: str, known: Iterable[str]) -> str:
    """A short hint: the close matches, or the first few codes the site has."""
    codes = list(known)
    close = difflib.get_close_matches(code, codes, n=3)
    if close:
        return f"did you mean {', '.join(close)}?"
    shown = ", ".join(codes[:_LISTED])
    more = f", … {len(codes)} in all" if len(codes) > _LISTED else ""
    return f"the site has {shown}{more}"
