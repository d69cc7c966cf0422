"""``mpp config validate`` as a technician runs it: every problem of a building in one run.

The command runs as a process through the real entry point, on a copy of the
bundled inventory (and site) with several faults seeded at once.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INVENTORY = ROOT / "firmware_config"
SITES = ROOT / "hub/site/sites"
CONFIG_ERROR_EXIT = 2


def _validate(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mpp.cli", "config", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
    )


def _copy_inventory(tmp_path: Path) -> Path:
    root = tmp_path / "inventory"
    (root / "devices").mkdir(parents=True)
    shutil.copy(INVENTORY / "accounts.toml", root / "accounts.toml")
    for path in (INVENTORY / "devices").glob("*.toml"):
        shutil.copy(path, root / "devices" / path.name)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path.name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))


def _lines(stderr: str, file: Path) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"{file}: ")]


@pytest.fixture
def faulty(tmp_path: Path) -> Path:
    """The bundled inventory with five faults in five files."""
    root = _copy_inventory(tmp_path)
    devices = root / "devices"
    _edit(devices / "counter-01.toml", '"DUK-AKTA"]', '"XYZ"]')
    _edit(devices / "counter-02.toml", "[counter]\n", "[counter]\nbuzzer = 5\n")
    (devices / "counter-24.toml").write_text(
        'device_id = "counter-24"\nrole = "counter"\nname = "Unit loket 24"\n'
    )
    (devices / "display-01.toml").write_text('device_id = "display-01\nrole = "display"\n')
    (devices / "counter-04.toml").unlink()
    return root


def test_bundled_inventory_and_default_site_pass() -> None:
    result = _validate()
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"{INVENTORY}: site mpp-lampung-timur, 36 devices, 1 admins: ok" in result.stdout
    assert "lampung-timur.toml: site mpp-lampung-timur, 23 counters: ok" in result.stdout


def test_every_fault_is_reported_in_one_run(faulty: Path) -> None:
    result = _validate(faulty)
    devices = faulty / "devices"
    assert result.returncode == CONFIG_ERROR_EXIT
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    (target,) = _lines(result.stderr, devices / "counter-01.toml")
    # the site's services are listed short: five of them, then how many in all
    assert re.fullmatch(
        re.escape(f"{devices / 'counter-01.toml'}: counter.transfer_targets[1]: ")
        + r"unknown service 'XYZ' \(the site has (?:[A-Z0-9-]+, ){5}… \d+ in all\)",
        target,
    ), target
    assert _lines(result.stderr, devices / "counter-02.toml") == [
        f"{devices / 'counter-02.toml'}: counter.buzzer: pin 5 already used by counter.buttons.next"
    ]
    (unknown_unit,) = _lines(result.stderr, devices / "counter-24.toml")
    assert unknown_unit.endswith(
        "counter-24.toml: device_id: no counter of site mpp-lampung-timur has "
        "device_id = 'counter-24' (set it on that counter in "
        f"{SITES / 'lampung-timur.toml'})"
    )
    (malformed,) = _lines(result.stderr, devices / "display-01.toml")
    assert ": not valid TOML: " in malformed
    (missing,) = _lines(result.stderr, SITES / "lampung-timur.toml")
    assert missing == (
        f"{SITES / 'lampung-timur.toml'}: counters[3] (Loket 4).device_id: "
        f"'counter-04' has no device file in the inventory (expected {devices}/counter-04.toml)"
    )
    assert result.stderr.splitlines()[-1] == "mpp: error: config validate: 5 errors"


def test_site_counter_of_a_malformed_device_file_is_not_reported_twice(tmp_path: Path) -> None:
    root = _copy_inventory(tmp_path)
    (root / "devices" / "counter-03.toml").write_text("role = \n")
    result = _validate(root)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert "counter-03" not in "".join(_lines(result.stderr, SITES / "lampung-timur.toml"))
    assert len(_lines(result.stderr, root / "devices" / "counter-03.toml")) == 1


def test_every_doubled_pin_names_both_fields(tmp_path: Path) -> None:
    root = _copy_inventory(tmp_path)
    path = root / "devices" / "counter-05.toml"
    path.write_text(
        'device_id = "counter-05"\nrole = "counter"\nname = "Unit loket 5"\n'
        "[counter]\nled_red = 16\n[counter.buttons]\nrecall = 5\n"
        "[counter.skm]\nbuttons = [4, 17, 27, 22]\nleds = [7, 8, 25, 4]\n"
    )
    result = _validate(path)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert _lines(result.stderr, path) == [
        f"{path}: counter.buttons.recall: pin 5 already used by counter.buttons.next",
        f"{path}: counter.led_red: pin 16 already used by counter.led_green",
        f"{path}: counter.skm.leds[3]: pin 4 already used by counter.skm.buttons[0]",
    ]


def test_site_file_is_cross_checked_with_the_inventory(tmp_path: Path) -> None:
    root = _copy_inventory(tmp_path)
    site = tmp_path / "site.toml"
    site.write_text(
        (SITES / "lampung-timur.toml")
        .read_text()
        .replace('device_id = "counter-06"\n', "", 1)
        .replace('device_id = "counter-07"', 'device_id = "kiosk-01"', 1)
    )
    result = _validate(root, "--site", site)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert "Traceback" not in result.stderr
    site_lines = _lines(result.stderr, site)
    assert f"{site}: counters[5] (Loket 6).device_id: warning: no counter unit assigned" in (
        site_lines
    )
    assert (
        f"{site}: counters[6] (Loket 7).device_id: 'kiosk-01' is a kiosk device, "
        "not a counter unit" in site_lines
    )
    # counter-06 and counter-07 now belong to no counter of the site
    for unit in ("counter-06", "counter-07"):
        (line,) = _lines(result.stderr, root / "devices" / f"{unit}.toml")
        assert f"device_id: no counter of site mpp-lampung-timur has device_id = '{unit}'" in line
    assert result.stderr.splitlines()[-1] == "mpp: error: config validate: 3 errors and 1 warning"


def test_a_warning_alone_does_not_fail(tmp_path: Path) -> None:
    root = _copy_inventory(tmp_path)
    (root / "devices" / "counter-22.toml").unlink()
    site = tmp_path / "site.toml"
    site.write_text(
        (SITES / "lampung-timur.toml").read_text().replace('device_id = "counter-22"\n', "", 1)
    )
    result = _validate(root, "--site", site)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"{site}: counters[21] (Loket 22).device_id: warning: no counter unit assigned\n"
    )
    assert result.stdout.splitlines()[-1] == "1 warning, no errors"


def test_invalid_site_file_is_reported_with_the_inventory(tmp_path: Path) -> None:
    root = _copy_inventory(tmp_path)
    _edit(root / "devices" / "counter-01.toml", '"DUK-AKTA"]', '"XYZ"]')
    site = tmp_path / "site.toml"
    site.write_text((SITES / "lampung-timur.toml").read_text().replace("number = 2\n", "", 1))
    result = _validate(root, "--site", site)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert "Traceback" not in result.stderr
    assert re.search(
        rf"^{re.escape(str(site))}: counters\[1\].*number: Field required",
        (result.stderr),
        re.MULTILINE,
    )
    # the site could not be read, so nothing is cross-checked with it, but the
    # inventory's own problems are still all listed
    assert "XYZ" not in result.stderr
    assert result.stderr.splitlines()[-1] == "mpp: error: config validate: 1 error"


def test_badung_site_with_the_bundled_inventory_reports_without_crashing() -> None:
    result = _validate("--site", SITES / "badung.toml")
    assert result.returncode == CONFIG_ERROR_EXIT
    assert "Traceback" not in result.stderr
    assert (
        f"{INVENTORY / 'accounts.toml'}: site_id: 'mpp-lampung-timur' but the site file "
        f"{SITES / 'badung.toml'} is site 'mpp-badung'" in result.stderr
    )
    assert "counter-01.toml: device_id: no counter of site mpp-badung" in result.stderr
    assert "(Loket 1).device_id: warning: no counter unit assigned" in result.stderr
    # counter-22.toml has no [counter] section: the hint says the list is the default
    assert (
        "counter-22.toml: counter.transfer_targets[0]: unknown service 'BL-BAYAR' "
        "(the default list, set counter.transfer_targets; did you mean BPD-BAYAR?)"
    ) in result.stderr


def test_display_filtering_an_unknown_agency_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "display-01.toml"
    path.write_text(
        'device_id = "display-01"\nrole = "display"\nname = "D"\n'
        '[display]\nagencies = ["DUKCAPIL", "DUKCAPLI"]\n'
        'labels = { PA = "Peng. Agama", BPJSTK = "BPJS TK" }\n'
    )
    result = _validate(path)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert _lines(result.stderr, path) == [
        f"{path}: display.agencies[1]: unknown agency 'DUKCAPLI' (did you mean DUKCAPIL?)",
        f"{path}: display.labels.BPJSTK: unknown agency 'BPJSTK' (did you mean BPJS-TK, BPJS-KES?)",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-dir"], "no-such-dir: not found"),
        (["--site", "no-such-site.toml"], "no-such-site.toml: site file not found"),
        (["--site", str(INVENTORY)], "cannot be read"),
    ],
)
def test_missing_or_unreadable_paths_are_reported(args: list[str], message: str) -> None:
    result = _validate(*args)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert "Traceback" not in result.stderr
    assert message in result.stderr


def test_quota_above_the_counters_day_is_a_warning(tmp_path: Path) -> None:
    """Dukcapil's old quotas (470 a day) against 4 counters that serve ≈ 220: the site
    still validates, with one warning naming the agency and both figures."""
    site = tmp_path / "site.toml"
    site.write_text(
        (SITES / "lampung-timur.toml")
        .read_text()
        .replace("daily_quota = 80\n", "daily_quota = 330\n", 1)
    )
    result = _validate("--site", site)
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if "warning:" in line]
    assert warning.startswith(f"{site}: agencies (DUKCAPIL): warning: daily quotas need 3,")
    assert "(470 tickets)" in warning and "its 4 counters have 1,560" in warning
    assert "about 222 tickets" in warning
    assert "1 warning, no errors" in result.stdout


def test_booking_share_is_checked_and_a_reserve_that_leaves_walk_ins_nothing_warns(
    tmp_path: Path,
) -> None:
    """booking_share is a share (0 ≤ share ≤ 1: an error outside); a share of 1 keeps all
    of a service's day for bookings and a reserve larger than the quota sells bookings
    the quota refuses: warnings naming the service."""
    text = (SITES / "lampung-timur.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('code = "DUKCAPIL"\n', 'code = "DUKCAPIL"\nbooking_share = 1.5\n'))
    refused = _validate("--site", bad)
    assert refused.returncode == CONFIG_ERROR_EXIT
    assert "booking_share" in refused.stderr and "Traceback" not in refused.stderr
    site = tmp_path / "site.toml"
    site.write_text(
        text.replace('code = "DUKCAPIL"\n', 'code = "DUKCAPIL"\nbooking_share = 1\n', 1)
        .replace("daily_quota = 80\n", "daily_quota = 30\n", 1)  # DUK-KTP's
    )
    result = _validate("--site", site)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning:" in line]
    ktp = [w for w in warnings if "services (DUK-KTP)" in w]
    assert any("walk-ins are refused 'agency full' all day" in w for w in ktp)
    assert any("about 70 bookings a day" in w and "daily quota of 30" in w for w in ktp)
