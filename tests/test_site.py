"""The site catalogue: the default site, validation errors, local time rules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hub.site.calendar import SiteCalendar
from hub.site.loader import DEFAULT_SITE, SiteError, load_site

# Lampiran Peraturan Bupati Lampung Timur 23/2025 (shared/seeds).
PERBUP_AGENCIES = [
    "Dinas Penanaman Modal dan Pelayanan Perizinan Terpadu Satu Pintu",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Dinas Kesehatan",
    "Dinas Sosial",
    "Dinas Koperasi, Usaha Kecil dan Menengah dan Tenaga Kerja",
    "Dinas Pemberdayaan Perempuan, Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana",
    "Dinas Pendidikan dan Kebudayaan",
    "Kepolisian Resor Lampung Timur",
    "Kementerian Agama Kabupaten Lampung Timur",
    "Pengadilan Agama Kabupaten Lampung Timur",
    "Bank Lampung Kabupaten Lampung Timur",
    "BPJS Ketenagakerjaan KCP Metro",
    "Kejaksaan Negeri",
    "Badan Narkotika Nasional",
    "BPJS Kesehatan KCP Metro",
]


def _utc(local_hour: int, local_minute: int = 0, day: int = 23) -> datetime:
    """A moment on November ``day`` 2026 given in WIB (UTC+7)."""
    return datetime(2026, 11, day, local_hour - 7, local_minute, tzinfo=UTC)


def _edited(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    text = DEFAULT_SITE.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "site.toml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def test_default_site_has_the_fifteen_agencies_of_the_regulation() -> None:
    site = load_site()
    assert [agency.name for agency in site.agencies] == PERBUP_AGENCIES
    for agency in site.agencies:
        assert sum(1 for s in site.services if s.agency == agency.code) >= 1
    assert len(site.counters) == 23


def test_unknown_service_on_a_counter_names_file_entry_and_field(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'primary = ["POL-SKCK"]', 'primary = ["POL-SKCKX"]')
    with pytest.raises(SiteError) as raised:
        load_site(path)
    assert f"{path}: counters[4] (Loket 5): primary[0]: unknown service 'POL-SKCKX'" in str(
        raised.value
    )


def test_negative_quota_names_the_service(tmp_path: Path) -> None:
    path = _edited(
        tmp_path,
        "daily_quota = 80\nneeds_signature = true",
        "daily_quota = -1\nneeds_signature = true",
    )
    with pytest.raises(SiteError) as raised:
        load_site(path)
    assert (
        f"{path}: services[3] (DUK-KTP).daily_quota: Input should be greater than or "
        "equal to 0 (got -1)"
    ) in str(raised.value)


def test_prefix_shared_across_agencies_is_refused(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'agency = "DINKES"\nprefix = "C"', 'agency = "DINKES"\nprefix = "A"')
    with pytest.raises(
        SiteError,
        match=r"services\[8\] \(KES-SIP\): prefix: 'A' is already "
        r"used by agency 'DUKCAPIL'",
    ):
        load_site(path)


def test_duplicate_counter_number_and_bad_time_zone(tmp_path: Path) -> None:
    path = _edited(tmp_path, "number = 20", "number = 19")
    path.write_text(
        path.read_text().replace('timezone = "Asia/Jakarta"', 'timezone = "Asia/Lampung"')
    )
    with pytest.raises(SiteError) as raised:
        load_site(path)
    message = str(raised.value)
    assert "counters: number: 19 appears 2 times" in message
    assert "timezone: unknown time zone 'Asia/Lampung'" in message


def test_unknown_key_is_refused(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'prefix = "P"', 'prefix = "P"\nquota = 5')
    with pytest.raises(SiteError, match=r"services\[0\] \(PTSP-NIB\)\.quota: Extra inputs"):
        load_site(path)


def test_missing_site_file(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="site file not found"):
        load_site(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("moment", "accepting", "reason"),
    [
        (_utc(7, 29), False, "Belum buka, antrean mulai pukul 07.30"),
        (_utc(7, 30), True, None),
        (_utc(14, 29), True, None),
        (_utc(14, 30), False, "Pengambilan antrean ditutup pukul 14.30"),
        (_utc(9, 0, day=28), False, "Layanan tidak buka hari ini"),  # Saturday
        (_utc(9, 0, day=25), True, None),  # Wednesday
    ],
)
def test_ticket_issue_hours(moment: datetime, accepting: bool, reason: str | None) -> None:
    site = load_site()
    availability = SiteCalendar(site).availability(site.service("DUK-KTP"), moment)
    assert (availability.accepting, availability.reason) == (accepting, reason)


@pytest.mark.parametrize(
    ("moment", "reopens"),
    [
        (_utc(7, 29), _utc(7, 30)),  # before the kiosk opens: today
        (_utc(14, 30), _utc(7, 30, day=24)),  # after the cut-off: tomorrow
        (_utc(9, 0, day=28), _utc(7, 30, day=30)),  # Saturday: Monday
    ],
)
def test_a_closed_service_says_when_it_opens_again(moment: datetime, reopens: datetime) -> None:
    site = load_site()
    availability = SiteCalendar(site).availability(site.service("DUK-KTP"), moment)
    assert availability.reopens_at == reopens


def test_holiday_is_closed() -> None:
    site = load_site()
    christmas = datetime(2026, 12, 25, 2, 0, tzinfo=UTC)
    availability = SiteCalendar(site).availability(site.service("DUK-KTP"), christmas)
    assert availability == availability.__class__(
        False,
        "Hari libur, layanan tutup",
        reopens_at=datetime(2026, 12, 28, 7, 30, tzinfo=ZoneInfo("Asia/Jakarta")),
    ), "closed on Christmas; the kiosk says it opens again on Monday 28 December at 07.30"


def test_waiting_time_counts_until_opening_and_friday_prayer_break() -> None:
    site = load_site()
    calendar = SiteCalendar(site)
    early = calendar.availability(site.service("DUK-KTP"), _utc(7, 40))
    assert early.accepting and early.minutes_until_open == 20
    friday = calendar.availability(site.service("DUK-KTP"), _utc(12, 0, day=27))
    assert friday.accepting and friday.minutes_until_open == 60


def test_service_day_is_local() -> None:
    calendar = SiteCalendar(load_site())
    # 23:30 UTC on the 23rd is 06:30 WIB on the 24th.
    assert calendar.service_day(datetime(2026, 11, 23, 23, 30, tzinfo=UTC)).day == 24


def test_hub_refuses_to_start_on_an_invalid_site(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from mpp.cli import main

    path = _edited(tmp_path, 'primary = ["POL-SKCK"]', 'primary = ["POL-SKCKX"]')
    assert main(["hub", "run", "--site", str(path), "--db", str(tmp_path / "hub.db")]) == 2
    assert "unknown service 'POL-SKCKX'" in capsys.readouterr().err
    assert not (tmp_path / "hub.db").exists()


def test_badung_example_site_is_valid_and_in_wita() -> None:
    from hub.site.loader import SITES_DIR

    site = load_site(SITES_DIR / "badung.toml")
    assert site.timezone == "Asia/Makassar"
    assert {a.short_name for a in site.agencies} >= {"Imigrasi", "Polres", "BPD Bali", "BPOM"}
    calendar = SiteCalendar(site)
    # 07:45 WITA is 06:45 WIB: Badung's kiosk is open while Lampung Timur's is not.
    moment = datetime(2026, 11, 23, 23, 45, tzinfo=UTC)  # 07:45 WITA on the 24th
    assert calendar.availability(site.service("DUK-KTP"), moment).accepting
