"""Device files and the inventory: errors name the file, the field and the value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from firmware_config.cli import device_schema_json
from firmware_config.inventory import ConfigError, check_inventory, load_device, load_inventory
from mpp.cli import main

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "firmware_config/schema/device.schema.json"


def _inventory(tmp_path: Path, devices: dict[str, str], accounts: str = 'site_id = "s1"\n') -> Path:
    (tmp_path / "devices").mkdir()
    (tmp_path / "accounts.toml").write_text(accounts)
    for name, text in devices.items():
        (tmp_path / "devices" / f"{name}.toml").write_text(text)
    return tmp_path


def test_bundled_inventory_is_valid() -> None:
    inventory = load_inventory()
    assert inventory.site_id == "mpp-lampung-timur"
    roles = {device.role.value for device in inventory.devices}
    assert roles == {"kiosk", "counter", "display", "running_text", "signature_pad"}


def test_error_names_file_field_and_value(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-01.toml"
    path.write_text('device_id = "kiosk-01"\nrole = "kiosk"\nname = "K"\n[mqtt]\nport = 70000\n')
    with pytest.raises(ConfigError) as raised:
        load_device(path)
    assert str(raised.value) == (
        f"{path}: mqtt.port: Input should be less than or equal to 65535 (got 70000)"
    )


def test_unknown_keys_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-01.toml"
    path.write_text('device_id = "kiosk-01"\nrole = "kiosk"\nname = "K"\nprinter_pin = 4\n')
    with pytest.raises(ConfigError, match="printer_pin: Extra inputs are not permitted"):
        load_device(path)


def test_account_roles_are_not_device_roles(tmp_path: Path) -> None:
    path = tmp_path / "x1.toml"
    path.write_text('device_id = "x1"\nrole = "hub"\nname = "X"\n')
    with pytest.raises(ConfigError, match="role: Value error, 'hub' is an account role"):
        load_device(path)


def test_file_name_must_match_device_id(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-02.toml"
    path.write_text('device_id = "kiosk-01"\nrole = "kiosk"\nname = "K"\n')
    with pytest.raises(ConfigError, match="does not match the file name"):
        load_device(path)


def test_broken_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kiosk-01.toml"
    path.write_text('device_id = "kiosk-01\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_device(path)


def test_admin_name_clashing_with_device_is_refused(tmp_path: Path) -> None:
    root = _inventory(
        tmp_path,
        {"kiosk-01": 'device_id = "kiosk-01"\nrole = "kiosk"\nname = "K"\n'},
        'site_id = "s1"\n[[admins]]\nusername = "kiosk-01"\nname = "A"\n',
    )
    with pytest.raises(ConfigError, match=r"already used by device file kiosk-01\.toml"):
        load_inventory(root)


def test_hub_name_is_reserved(tmp_path: Path) -> None:
    root = _inventory(tmp_path, {"hub": 'device_id = "hub"\nrole = "kiosk"\nname = "K"\n'})
    with pytest.raises(ConfigError, match="reserved"):
        load_inventory(root)


def test_upstream_name_is_reserved(tmp_path: Path) -> None:
    device = 'device_id = "upstream"\nrole = "kiosk"\nname = "K"\n'
    root = _inventory(tmp_path, {"upstream": device})
    with pytest.raises(ConfigError, match="'upstream' is reserved"):
        load_inventory(root)


def test_committed_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == device_schema_json(), (
        "firmware_config/schema/device.schema.json is stale: "
        "run `mpp config schema > firmware_config/schema/device.schema.json`"
    )
    assert json.loads(device_schema_json())["additionalProperties"] is False


def test_cli_validate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "validate"]) == 0
    assert f"{len(load_inventory().devices)} devices, 1 admins: ok" in capsys.readouterr().out


def test_inventory_lists_every_problem_of_every_file(tmp_path: Path) -> None:
    root = _inventory(
        tmp_path,
        {
            "kiosk-01": 'device_id = "kiosk-01"\nrole = "kiosk"\nname = "K"\n[mqtt]\nport = 0\n',
            "kiosk-02": 'device_id = "kiosk-02\n',
            "counter-01": 'device_id = "counter-01"\nrole = "counter"\nname = "C"\n',
        },
        'site_id = "s1"\n[[admins]]\nusername = "counter-01"\nname = "A"\n',
    )
    report = check_inventory(root)
    kiosk, toml, admin = (str(problem) for problem in report.problems)
    assert kiosk == (
        f"{root}/devices/kiosk-01.toml: mqtt.port: Input should be greater than or equal to 1 "
        "(got 0)"
    )
    assert toml.startswith(f"{root}/devices/kiosk-02.toml: not valid TOML: ")
    assert admin == (
        f"{root}/accounts.toml: admins[0].username: admin username 'counter-01' is already "
        "used by device file counter-01.toml"
    )
    assert [device.config.device_id for device in report.devices] == ["counter-01"]
    with pytest.raises(ConfigError) as raised:
        load_inventory(root)
    assert len(str(raised.value).splitlines()) == 3


def test_doubled_pin_names_both_fields(tmp_path: Path) -> None:
    path = tmp_path / "counter-01.toml"
    path.write_text(
        'device_id = "counter-01"\nrole = "counter"\nname = "C"\n'
        "[counter]\nbuzzer = 27\n[counter.buttons]\nrecall = 5\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_device(path)
    assert str(raised.value).splitlines() == [
        f"{path}: counter.buttons.recall: pin 5 already used by counter.buttons.next",
        f"{path}: counter.skm.buttons[2]: pin 27 already used by counter.buzzer",
    ]


def test_disabled_satisfaction_box_frees_its_pins(tmp_path: Path) -> None:
    path = tmp_path / "counter-01.toml"
    path.write_text(
        'device_id = "counter-01"\nrole = "counter"\nname = "C"\n'
        "[counter]\nbuzzer = 27\n[counter.skm]\nenabled = false\n"
    )
    assert load_device(path).counter_unit().buzzer == 27
