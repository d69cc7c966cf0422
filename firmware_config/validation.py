"""``mpp config validate`` in one pass: every file, then every cross-check with the site.

Nothing stops at the first problem: a technician installing a building
fixes the whole list, then runs the check once more.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from firmware_config.checks import SiteFacts, SiteLoader, device_problems, inventory_problems
from firmware_config.inventory import ConfigError, DeviceFile, check_inventory, read_device
from firmware_config.problems import Problem, errors
from firmware_config.security_checks import security_problems


@dataclass
class Validation:
    """Every problem found, and one summary line per path that passed."""

    problems: list[Problem] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(errors(self.problems))


def validate(paths: list[Path], site_file: Path | None, load_site: SiteLoader) -> Validation:
    """Check inventories (directories) and device files, cross-checked with the site.

    ``load_site`` reads ``site_file`` (``None``: the default site); if the site
    itself has problems, they are reported and nothing is cross-checked with it.
    """
    result = Validation()
    site = _site(site_file, load_site, result)
    for path in paths:
        before = len(errors(result.problems))
        if path.is_dir():
            summary = _inventory(path, site, result)
        elif path.is_file():
            summary = _device_file(path, site, result)
        else:
            result.problems.append(Problem(path, "", "not found"))
            continue
        if len(errors(result.problems)) == before:
            result.summaries.append(summary)
    if site is not None:
        site_path, facts = site
        warn = getattr(facts, "capacity_warnings", None)  # quotas above the counters' day
        for where, message in warn() if callable(warn) else []:
            result.problems.append(Problem(site_path, where, message, warning=True))
        result.summaries.append(f"{site_path}: site {facts.id}, {len(facts.counters)} counters: ok")
    result.problems.sort(key=lambda problem: str(problem.file))
    return result


def _site(
    site_file: Path | None, load_site: SiteLoader, result: Validation
) -> tuple[Path, SiteFacts] | None:
    try:
        return load_site(site_file)
    except ConfigError as error:
        result.problems += [Problem("", "", line) for line in str(error).splitlines()]
        return None


def _inventory(root: Path, site: tuple[Path, SiteFacts] | None, result: Validation) -> str:
    report = check_inventory(root)
    result.problems += report.problems
    result.problems += security_problems(report)
    if site is not None:
        result.problems += inventory_problems(site[1], site[0], report)
    return (
        f"{root}: site {report.site_id}, {len(report.devices)} devices, "
        f"{len(report.admins)} admins: ok"
    )


def _device_file(path: Path, site: tuple[Path, SiteFacts] | None, result: Validation) -> str:
    device, problems = read_device(path)
    result.problems += problems
    if device is None:
        return ""
    if site is not None:
        result.problems += device_problems(site[1], site[0], DeviceFile(path, device))
    return f"{path}: {device.role.value} {device.device_id}: ok"
