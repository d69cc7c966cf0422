"""Pydantic schema of a device file and of the admin accounts file.

Unknown keys are errors: a typo in a pin name must stop the technician at
flashing time, not show up as a dead button in the building.
"""

from __future__ import annotations

import re
from functools import cache
from ipaddress import IPv4Address, IPv4Interface, IPv4Network
from pathlib import Path
from typing import Annotated, Literal, NamedTuple, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StringConstraints,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from protocol.models.fields import DEVICE_ID_PATTERN, DeviceId
from protocol.roles import Role


class ConfigModel(BaseModel):
    """Base of every configuration section: unknown keys are rejected.

    Validators are built on first use (``defer_build``): a counter unit reads
    one device file and never the hub's, the accounts file or another role's
    section, whose validators cost it ~2 MB when built at import.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


LanSecurity = Literal["tls", "mutual-tls", "plain"]
"""How devices reach the broker across the LAN: TLS with passwords (the default),
TLS with a client certificate per device instead of passwords, or plain MQTT."""

TLS_PORT = 8883
PLAIN_PORT = 1883


class MqttSettings(ConfigModel):
    """How the device reaches the hub's broker."""

    host: str = Field(
        default="mpp-hub.local", min_length=1, title="Broker host", description="Hub address."
    )
    port: int = Field(
        default=TLS_PORT,
        ge=1,
        le=65535,
        title="Broker port",
        description="Default: 8883 (TLS), 1883 with security = 'plain'.",
    )
    security: LanSecurity = Field(
        default="tls",
        title="Link security",
        description="Must match the site's `[mqtt] lan` in accounts.toml.",
    )
    keepalive_s: int = Field(default=15, ge=5, le=300, title="MQTT keep-alive in seconds")
    password: SecretStr | None = Field(
        default=None,
        title="Password",
        description="Only for sites that manage passwords themselves; normally generated.",
    )
    password_file: Path | None = Field(
        default=None,
        title="Password file",
        description="File holding the password, written at provisioning (outside git).",
    )
    tls_ca_file: Path = Field(
        default=Path("/etc/mpp/ca.crt"),
        title="Site CA file",
        description="The site CA the hub's certificate is checked against (from provisioning).",
    )
    tls_cert_file: Path = Field(
        default=Path("/etc/mpp/client.crt"),
        title="Client certificate",
        description="This device's certificate, with security = 'mutual-tls' only.",
    )
    tls_key_file: Path = Field(
        default=Path("/etc/mpp/client.key"),
        title="Client key",
        description="Key of the client certificate (mode 0600), with 'mutual-tls' only.",
    )

    @model_validator(mode="before")
    @classmethod
    def _plain_port(cls, data: object) -> object:
        """Plain MQTT defaults to its own port: a file saying only security = 'plain' works."""
        if isinstance(data, dict) and data.get("security") == "plain" and "port" not in data:
            return {**data, "port": PLAIN_PORT}
        return data


Pin = Annotated[int, Field(ge=0, le=27, description="BCM GPIO number.")]

PIN_CONFLICT_ERROR = "gpio_pin_reused"


class PinConflict(NamedTuple):
    """``field`` is wired to ``pin``, which ``used_by`` (an earlier field) already uses."""

    field: str
    pin: int
    used_by: str

    def __str__(self) -> str:
        return f"{self.field}: pin {self.pin} already used by {self.used_by}"


class CounterButtons(ConfigModel):
    """Officer buttons, wired between the GPIO and ground (internal pull-ups)."""

    next: Pin = 5
    recall: Pin = 6
    no_show: Pin = 13
    finish: Pin = 19
    transfer: Pin = 26
    pause: Pin = 21


class SatisfactionBox(ConfigModel):
    """The 4-button SKM box: buttons and their LEDs, worst to best."""

    enabled: bool = True
    buttons: list[Pin] = Field(
        default=[4, 17, 27, 22],
        min_length=4,
        max_length=4,
        description="tidak puas, kurang puas, puas, sangat puas",
    )
    leds: list[Pin] = Field(default=[7, 8, 25, 24], min_length=4, max_length=4)
    window_s: int = Field(
        default=60, ge=5, le=600, description="How long after a finish the box takes a rating."
    )


class CounterUnitConfig(ConfigModel):
    """Wiring and behaviour of a counter unit."""

    number: int | None = Field(
        default=None,
        ge=1,
        le=999,
        title="Counter number",
        description="The loket this unit is mounted at, as in the site file (checked "
        "against it; printed on the card's label).",
    )
    buttons: CounterButtons = Field(default_factory=CounterButtons)
    led_green: Pin = Field(default=16, description="Serving / ready.")
    led_red: Pin = Field(default=20, description="Paused, offline, error.")
    buzzer: Pin = 12
    display: Literal["ssd1306", "none"] = "ssd1306"
    i2c_port: int = Field(default=1, ge=0, le=10)
    i2c_address: int = Field(default=0x3C, ge=0x03, le=0x77)
    debounce_ms: int = Field(default=40, ge=0, le=500)
    hold_s: float = Field(
        default=3.0,
        ge=0.5,
        le=10.0,
        description="Holding next this long opens or closes the counter.",
    )
    command_expiry_s: float = Field(
        default=5.0,
        ge=1.0,
        le=60.0,
        description="A press not applied within this time is dropped, never replayed later.",
    )
    transfer_targets: list[str] = Field(
        default=["BL-BAYAR"],
        max_length=12,
        description="Services the transfer button cycles through (codes from the site).",
    )
    skm: SatisfactionBox = Field(default_factory=SatisfactionBox)

    def pin_uses(self) -> list[tuple[str, int]]:
        """Every wired GPIO as ``(field path, pin)``; the SKM box counts only when enabled."""
        uses = [(f"buttons.{name}", pin) for name, pin in self.buttons.model_dump().items()]
        uses += [("led_green", self.led_green), ("led_red", self.led_red), ("buzzer", self.buzzer)]
        if self.skm.enabled:
            uses += [(f"skm.buttons[{i}]", pin) for i, pin in enumerate(self.skm.buttons)]
            uses += [(f"skm.leds[{i}]", pin) for i, pin in enumerate(self.skm.leds)]
        return uses

    def pin_conflicts(self) -> list[PinConflict]:
        """Each field whose pin an earlier field already uses, named with that earlier field."""
        owners: dict[int, str] = {}
        conflicts: list[PinConflict] = []
        for field, pin in self.pin_uses():
            owner = owners.setdefault(pin, field)
            if owner != field:
                conflicts.append(PinConflict(field, pin, owner))
        return conflicts

    @model_validator(mode="after")
    def _distinct_pins(self) -> Self:
        # A custom error type carrying every conflict lets the inventory report
        # one line per doubled pin, at the field that doubles it.
        conflicts = self.pin_conflicts()
        if conflicts:
            raise PydanticCustomError(
                PIN_CONFLICT_ERROR,
                "{summary}",
                {
                    "summary": "; ".join(str(conflict) for conflict in conflicts),
                    "conflicts": [conflict._asdict() for conflict in conflicts],
                },
            )
        return self


class KioskPrinter(ConfigModel):
    """The ticket printer: how it is connected and its paper width."""

    connection: Literal["usb", "serial", "network", "file"] = "usb"
    device: str = Field(default="/dev/usb/lp0", description="usblp node, serial port or file.")
    host: str = ""
    port: int = Field(default=9100, ge=1, le=65535)
    baudrate: int = Field(default=19200, ge=1200, le=921600)
    paper: Literal["58mm", "80mm"] = "80mm"
    usb_vendor_id: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{4}$",
        description="For hot-plug matching, e.g. 04b8 (Epson).",
    )
    model: str = Field(
        default="",
        max_length=60,
        description="Make and model, for technicians and card labels (e.g. Epson TM-T82X); "
        "the ticket layout follows `paper`.",
    )


class KioskScanner(ConfigModel):
    """The USB QR/barcode scanner (keyboard wedge)."""

    enabled: bool = True
    name_contains: str = Field(
        default="", max_length=60, description="Part of the input device name, to pick it out."
    )
    usb_id: str | None = Field(
        default=None,
        pattern=r"^[0-9a-f]{4}:[0-9a-f]{4}$",
        title="USB id",
        description="vendor:product as lsusb shows it: only that device is the scanner "
        "(a maintenance keyboard is never read as a ticket code).",
    )


class KioskUnitConfig(ConfigModel):
    width: int = Field(default=1080, ge=640, le=3840)
    height: int = Field(default=1920, ge=480, le=3840)
    width_mm: float | None = Field(
        default=None,
        ge=60,
        le=1200,
        description='Visible width of the panel in mm, as mounted (7" 1024x600: 154; '
        '10.1" 1280x800: 217; 21.5" 1080x1920 portrait: 268). Text and buttons are '
        "sized in mm from it; omitted: a typical panel of that resolution.",
    )
    fullscreen: bool = True
    health_check_s: float = Field(default=5.0, ge=0.5, le=60)
    printer: KioskPrinter = Field(default_factory=KioskPrinter)
    scanner: KioskScanner = Field(default_factory=KioskScanner)


class DisplayUnitConfig(ConfigModel):
    """The call display: screen, what it shows, how it speaks."""

    width: int = Field(default=1920, ge=640, le=3840)
    height: int = Field(default=1080, ge=480, le=3840)
    width_mm: float | None = Field(
        default=None,
        ge=300,
        le=3000,
        description='Visible width of the TV in mm (43": 952, 50": 1107, 55": 1218). Text is '
        "sized in mm from it (a call number 100 mm high); omitted: a 43\" TV.",
    )
    labels: dict[str, str] = Field(
        default_factory=dict,
        description="Shorter names for the waiting grid, by agency code, used when the "
        'agency\'s short name does not fit at the minimum size (PA = "Peng. Agama").',
    )
    fullscreen: bool = True
    zones: list[str] = Field(
        default_factory=list, description="Show only counters in these zones (empty: all)."
    )
    agencies: list[str] = Field(
        default_factory=list, description="Show only these agencies' counters (empty: all)."
    )
    reading: Literal["digits", "number"] = Field(
        default="number", description="A-012 as 'dua belas' (halls say it so) or 'nol satu dua'."
    )
    pause_after_chime_s: float = Field(default=0.8, ge=0.0, le=3.0)
    pause_before_silakan_s: float = Field(default=0.4, ge=0.0, le=3.0)
    say_twice: bool = Field(default=False, description="Say each call a second time.")
    volume: float = Field(default=0.8, ge=0.0, le=1.0)
    quiet_start: str | None = Field(default=None, pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    quiet_end: str | None = Field(default=None, pattern=r"^[0-2][0-9]:[0-5][0-9]$")
    clips_dir: Path = Field(
        default=Path("/var/lib/mpp/voice"),
        description="Voice clips, made by `mpp display make-clips`.",
    )
    highlight_s: float = Field(default=6.0, ge=1.0, le=60.0)


class RunningTextConfig(ConfigModel):
    """Chained LED matrix panels (MAX7219 over SPI)."""

    driver: Literal["max7219", "dummy"] = "max7219"
    cascaded: int = Field(default=8, ge=1, le=32, description="8×8 modules in the chain.")
    spi_port: int = Field(default=0, ge=0, le=1)
    spi_device: int = Field(default=0, ge=0, le=1)
    scroll_delay_s: float = Field(default=0.03, ge=0.005, le=1.0)
    call_passes: int = Field(default=2, ge=1, le=5)
    zones: list[str] = Field(default_factory=list)


USB_ID_PATTERN = r"^[0-9a-f]{4}:[0-9a-f]{4}$"


class SignaturePadConfig(ConfigModel):
    """Where the pad is and which USB tablet is the pad (there may be a keyboard too)."""

    counter: int | None = Field(
        default=None,
        ge=1,
        le=999,
        title="Counter number",
        description="The loket the pad sits at, as in the site file.",
    )
    input: Literal["tablet", "touchscreen"] = Field(
        default="tablet",
        description="A USB pen tablet read through evdev, or the counter's touch screen.",
    )
    usb_id: str | None = Field(
        default=None,
        pattern=USB_ID_PATTERN,
        title="USB id",
        description="vendor:product of the tablet as `lsusb` shows it, e.g. 056a:0357.",
    )
    name_contains: str = Field(
        default="", max_length=60, description="Part of the input device name, to pick it out."
    )


HOSTNAME_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
REF_NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$"
DEFAULT_HUB_ADDRESS = "mpp-hub.local"
DEFAULT_HUB_HOSTNAME = "mpp-hub"

Hostname = Annotated[
    str,
    StringConstraints(pattern=HOSTNAME_PATTERN),
    Field(description="One DNS label: lower-case letters, digits and '-', at most 63."),
]
SecretName = Annotated[
    str,
    StringConstraints(pattern=REF_NAME_PATTERN),
    Field(description="Name of an entry of the secrets store (`mpp config secrets`)."),
]
HostAddress = Annotated[
    str,
    StringConstraints(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.:-]+$"),
    Field(description="An IP address or a host name (`mpp-hub.local` with mDNS)."),
]


class NetworkSettings(ConfigModel):
    """How a Pi joins the building LAN; cloud-init's network-config is written from this.

    A Wi-Fi pre-shared key is never written here: ``wifi_psk_ref`` names an
    entry of the secrets store (``mpp config secrets``), read only when an
    image is customised, so no PSK ends up in git.
    """

    hostname: Hostname | None = Field(
        default=None,
        title="Host name",
        description="Default: `mpp-` + the device id (devices) or `mpp-hub` (the hub).",
    )
    mode: Literal["dhcp", "static"] = Field(default="dhcp", title="Addressing")
    address: IPv4Interface | None = Field(
        default=None,
        title="Static address",
        description="CIDR, e.g. `192.168.10.2/24`; static mode only.",
    )
    gateway: IPv4Address | None = Field(default=None, description="Static mode only.")
    dns: list[IPv4Address] = Field(default_factory=list, max_length=4, title="DNS servers")
    interface: Literal["ethernet", "wifi"] = "ethernet"
    wifi_ssid: str | None = Field(default=None, min_length=1, max_length=32, title="Wi-Fi SSID")
    wifi_psk_ref: SecretName | None = Field(
        default=None,
        title="Wi-Fi PSK reference",
        description="The NAME of the pre-shared key in the secrets store, never the key.",
    )
    wifi_country: str = Field(
        default="ID",
        pattern=r"^[A-Z]{2}$",
        title="Wi-Fi country",
        description="ISO 3166 code for the radio's regulatory domain.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.mode == "static":
            if self.address is None:
                raise ValueError("mode = 'static' needs an address (CIDR, e.g. 192.168.10.20/24)")
            if self.gateway is not None and self.gateway not in self.address.network:
                raise ValueError(
                    f"gateway {self.gateway} is outside the address's network "
                    f"{self.address.network}"
                )
        else:
            for field in ("address", "gateway"):
                if getattr(self, field) is not None:
                    raise ValueError(f"{field} is set but mode = 'dhcp' (set mode = 'static')")
        if self.interface == "wifi":
            missing = [f for f in ("wifi_ssid", "wifi_psk_ref") if getattr(self, f) is None]
            if missing:
                raise ValueError(f"interface = 'wifi' needs {' and '.join(missing)}")
        else:
            stray = [f for f in ("wifi_ssid", "wifi_psk_ref") if getattr(self, f) is not None]
            if stray:
                raise ValueError(f"{', '.join(stray)} set but interface = 'ethernet'")
        return self


def fill_hostname(data: object, default: str) -> object:
    """Raw file data with ``network.hostname`` defaulted (before validation)."""
    if not isinstance(data, dict):
        return data
    network = data.get("network", {})
    if isinstance(network, dict) and network.get("hostname") is None:
        data = {**data, "network": {**network, "hostname": default}}
    return data


class DeviceConfig(ConfigModel):
    """One device of the site: its identity, role and link to the hub."""

    device_id: DeviceId
    role: Role = Field(title="Role", description="What the device does in the building.")
    name: str = Field(min_length=1, max_length=80, title="Name", description="For people.")
    zone: str | None = Field(
        default=None, max_length=40, title="Zone", description="Floor or area, e.g. `lantai-1`."
    )
    hub: HostAddress = Field(
        default=DEFAULT_HUB_ADDRESS,
        title="Hub address",
        description="How this device reaches the hub: its time server (chrony), and its "
        "broker unless `mqtt.host` says otherwise. The hub's static address in practice.",
    )
    network: NetworkSettings = Field(default_factory=NetworkSettings, title="Network")
    mqtt: MqttSettings = Field(default_factory=MqttSettings)
    counter: CounterUnitConfig | None = Field(
        default=None, description="Counter units only; defaults apply when omitted."
    )
    kiosk: KioskUnitConfig | None = Field(
        default=None, description="Kiosks only; defaults apply when omitted."
    )
    display: DisplayUnitConfig | None = Field(
        default=None, description="Call displays only; defaults apply when omitted."
    )
    running_text: RunningTextConfig | None = Field(
        default=None, description="Running-text panels only; defaults apply when omitted."
    )
    signature_pad: SignaturePadConfig | None = Field(
        default=None, description="Signature pads only; defaults apply when omitted."
    )

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_identity(cls, data: object) -> object:
        """``network.hostname`` from the device id, ``mqtt.host`` from ``hub``."""
        if not isinstance(data, dict):
            return data
        device_id = data.get("device_id")
        if isinstance(device_id, str) and re.match(DEVICE_ID_PATTERN, device_id):
            data = fill_hostname(data, f"mpp-{device_id}")
        mqtt = data.get("mqtt", {})
        hub = data.get("hub")
        if isinstance(hub, str) and isinstance(mqtt, dict) and "host" not in mqtt:
            data = {**data, "mqtt": {**mqtt, "host": hub}}
        return data

    @model_validator(mode="after")
    def _sections_match_role(self) -> Self:
        if self.counter is not None and self.role is not Role.COUNTER:
            raise ValueError(f"a [counter] section on a {self.role.value} device")
        for section, role in (
            ("kiosk", Role.KIOSK),
            ("display", Role.DISPLAY),
            ("running_text", Role.RUNNING_TEXT),
            ("signature_pad", Role.SIGNATURE_PAD),
        ):
            if getattr(self, section) is not None and self.role is not role:
                raise ValueError(f"a [{section}] section on a {self.role.value} device")
        return self

    def display_unit(self) -> DisplayUnitConfig:
        return self.display or DisplayUnitConfig()

    def running_text_unit(self) -> RunningTextConfig:
        return self.running_text or RunningTextConfig()

    def signature_pad_unit(self) -> SignaturePadConfig:
        return self.signature_pad or SignaturePadConfig()

    def kiosk_unit(self) -> KioskUnitConfig:
        return self.kiosk or KioskUnitConfig()

    def counter_unit(self) -> CounterUnitConfig:
        """The counter section, with the documented defaults when it is omitted."""
        return self.counter or CounterUnitConfig()

    @field_validator("role")
    @classmethod
    def _device_role(cls, role: Role) -> Role:
        if not role.is_device:
            raise ValueError(f"{role.value!r} is an account role, not a device role")
        return role


# The section of a device file that belongs to each device role.
ROLE_SECTIONS: dict[Role, str] = {
    Role.COUNTER: "counter",
    Role.KIOSK: "kiosk",
    Role.DISPLAY: "display",
    Role.RUNNING_TEXT: "running_text",
    Role.SIGNATURE_PAD: "signature_pad",
}


def device_model(data: object) -> type[DeviceConfig]:
    """The model to read the device file ``data`` with.

    A file of a known role without another role's section is read with its
    role's own :class:`DeviceConfig` (the other sections can only be absent),
    so a device builds the validator of its own section only: a counter unit
    never builds the kiosk's, display's, panel's or pad's (~1 MB). Anything
    else — no or an unknown role, a section of another role — is read with the
    full model, which says what is wrong exactly as before.
    """
    if not isinstance(data, dict):
        return DeviceConfig
    try:
        role = Role(data.get("role"))
    except ValueError:
        return DeviceConfig
    if role not in ROLE_SECTIONS:
        return DeviceConfig
    if any(section in data for other, section in ROLE_SECTIONS.items() if other is not role):
        return DeviceConfig
    return _role_model(role)


@cache
def _role_model(role: Role) -> type[DeviceConfig]:
    """:class:`DeviceConfig` whose other roles' sections are ``None`` only."""
    absent: dict[str, object] = {
        section: (None, None) for other, section in ROLE_SECTIONS.items() if other is not role
    }
    model = create_model(  # type: ignore[call-overload]
        f"{role.name.title().replace('_', '')}DeviceConfig",
        __base__=DeviceConfig,
        __module__=__name__,
        **absent,
    )
    return model  # type: ignore[no-any-return]


class HubTime(ConfigModel):
    """The hub is the building's clock: chrony serves NTP to the LAN, internet or not."""

    allow: list[IPv4Network] = Field(
        default_factory=list,
        title="NTP clients",
        description="Networks allowed to ask the hub the time. Default: the network of "
        "the hub's static address.",
    )
    upstream: list[HostAddress] = Field(
        default=["2.debian.pool.ntp.org"],
        max_length=8,
        description="NTP pools used when the internet is up (none: [] for a closed LAN).",
    )
    local_stratum: int = Field(
        default=8,
        ge=1,
        le=15,
        description="Stratum the hub claims with no upstream, so devices keep following it.",
    )
    rtc: bool = Field(
        default=False,
        title="Battery RTC",
        description="The hub has a battery-backed clock (keeps the time across power cuts).",
    )


class UplinkConfig(ConfigModel):
    """``[upstream]`` of hub.toml: the regional broker the site broker bridges to.

    The bridge (``mpp broker render``) is the transport; the hub's outbox is the
    buffer. The account's password is kept in the credentials store
    (``mpp upstream password``), never here.
    """

    host: HostAddress = Field(description="The regional broker (a Mosquitto, EMQX, …).")
    port: int = Field(default=8883, ge=1, le=65535)
    tls_ca: Path | None = Field(
        default=None,
        title="CA of the regional broker",
        description="Absolute path of the CA certificate the regional broker's certificate "
        "is checked against: TLS 1.2+. Unset: plain MQTT (only for a test bench; warned).",
    )
    account: str | None = Field(
        default=None,
        max_length=64,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="This site's account on the regional broker (default: the site id).",
    )
    max_items: int = Field(
        default=200_000,
        ge=100,
        description="The outbox's bound: beyond it the oldest item of the most expendable "
        "stream is dropped, counted and declared (docs/uplink.md).",
    )
    alert_items: int = Field(default=1_000, ge=1, description="Backlog that is an alert.")
    alert_age_minutes: int = Field(
        default=120, ge=1, description="Age of the oldest unsent item that is an alert."
    )
    health_every_minutes: int = Field(
        default=15, ge=1, le=1440, description="How often a device health summary goes up."
    )

    @field_validator("tls_ca")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_absolute():
            raise ValueError("give the CA file's absolute path on the hub")
        return value


class HubConfig(ConfigModel):
    """``hub.toml`` beside ``accounts.toml``: the hub's own entry in the inventory.

    Devices name the hub in their ``hub`` field; this file says how the hub
    itself joins the LAN and which networks it serves the time to.
    """

    role: Literal["hub"] = Field(default="hub", description="Always `hub`.")
    name: str = Field(default="Hub", min_length=1, max_length=80, description="For people.")
    zone: str | None = Field(default=None, max_length=40)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    address: HostAddress | None = Field(
        default=None,
        title="Address devices use",
        description="Default: the static address, else `<hostname>.local` (mDNS).",
    )
    time: HubTime = Field(default_factory=HubTime)
    upstream: UplinkConfig | None = Field(
        default=None,
        description="The regional broker, when the site sends its outbox upstream.",
    )

    @model_validator(mode="before")
    @classmethod
    def _default_hostname(cls, data: object) -> object:
        return fill_hostname(data, DEFAULT_HUB_HOSTNAME)

    @model_validator(mode="after")
    def _time_clients_known(self) -> Self:
        if not self.time.allow and self.network.address is None:
            raise ValueError(
                "time.allow is needed when the hub has no static address "
                "(the LAN the hub serves the time to, e.g. ['192.168.10.0/24'])"
            )
        return self

    def reach_address(self) -> str:
        """How devices reach the hub: ``address``, else the static IP, else mDNS."""
        if self.address is not None:
            return self.address
        if self.network.address is not None:
            return str(self.network.address.ip)
        return f"{self.network.hostname}.local"

    def time_clients(self) -> list[IPv4Network]:
        """The networks chrony ``allow``s."""
        if self.time.allow:
            return list(self.time.allow)
        assert self.network.address is not None  # checked by _time_clients_known
        return [self.network.address.network]


class AdminAccount(ConfigModel):
    """A person allowed to use the admin console."""

    username: DeviceId
    name: str = Field(min_length=1, max_length=80)
    password: SecretStr | None = None


class SiteMqtt(ConfigModel):
    """``[mqtt]`` of accounts.toml: how the whole site's LAN reaches the broker."""

    lan: LanSecurity = Field(
        default="tls",
        title="LAN link security",
        description="'tls' (default): TLS 1.2+ on 8883, hub verified against the site CA, "
        "passwords; 'mutual-tls': a client certificate per device instead of passwords; "
        "'plain': plain MQTT on 1883, passwords in clear on the LAN (warned about).",
    )


class AccountsFile(ConfigModel):
    """``accounts.toml``: the site id, the admin accounts and the site's MQTT security."""

    site_id: DeviceId = Field(title="Site id", description="Short id of the MPP site.")
    admins: Annotated[list[AdminAccount], Field(default_factory=list)]
    mqtt: SiteMqtt = Field(default_factory=SiteMqtt)
