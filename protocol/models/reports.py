"""Report figures: what the hub computes from its event store and the console renders.

The figures, never the events, travel over MQTT: a quarter of a busy MPP is
some 30,000 tickets, but its figures are a few tens of kilobytes (every list
below is bounded by the site's agencies, services and counters, a 7 × 24 heat
map and one point per service day).

Also the nine-element satisfaction survey (*Survei Kepuasan Masyarakat*,
PermenPANRB 14/2017) a kiosk may send after service: the IKM is computed
from it (:mod:`hub.reports.ikm`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from protocol.models.base import WireModel
from protocol.models.commands import SurveyAnswer, SurveySubmit
from protocol.models.fields import Timestamp

# PermenPANRB 14/2017, Lampiran: the nine elements (unsur) of the survey, in the
# order of SurveySubmit.answers.
IKM_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("U1", "Persyaratan"),
    ("U2", "Sistem, Mekanisme, dan Prosedur"),
    ("U3", "Waktu Penyelesaian"),
    ("U4", "Biaya/Tarif"),
    ("U5", "Produk Spesifikasi Jenis Pelayanan"),
    ("U6", "Kompetensi Pelaksana"),
    ("U7", "Perilaku Pelaksana"),
    ("U8", "Penanganan Pengaduan, Saran dan Masukan"),
    ("U9", "Sarana dan Prasarana"),
)

Band = Literal["A", "B", "C", "D"]  # mutu pelayanan, PermenPANRB 14/2017
__all__ = ["IKM_ELEMENTS", "SurveyAnswer", "SurveySubmit"]  # the survey lives with the commands


class Durations(WireModel):
    """A duration in minutes over many tickets: how many, mean, median, 90th percentile.

    Percentiles interpolate linearly between ranks (numpy's default), so a
    reader can check them with any statistics package.
    """

    count: int = Field(ge=0)
    mean: float | None = None
    median: float | None = None
    p90: float | None = None


class Figures(WireModel):
    """The queue figures of one group (the whole site, an agency, a service, a counter).

    Ticket counts (issued, cancelled, turned away, walked out, bookings) belong
    to the service a ticket was taken for; visit counts (served, no-shows,
    transfers, times) to the service and counter of the visit, so a ticket
    transferred from Dukcapil to Bank Lampung is served once at each.
    """

    key: str = Field(description="Agency or service code, counter number, or `total`.")
    name: str
    agency: str | None = Field(default=None, description="Agency code of a service or counter.")
    issued: int = Field(default=0, ge=0, description="Tickets printed for this service.")
    called: int = Field(
        default=0, ge=0, description="Visits called (first calls): a counter's or officer's intake."
    )
    served: int = Field(default=0, ge=0, description="Visits finished (done or transferred on).")
    no_shows: int = Field(default=0, ge=0, description="Visits ended as no-show.")
    cancelled: int = Field(default=0, ge=0, description="Tickets cancelled (print failed, admin).")
    turned_away: int = Field(
        default=0, ge=0, description="Tickets refused at the kiosk: quota reached or closed."
    )
    walked_out: int = Field(
        default=0, ge=0, description="Still waiting or called when the day closed."
    )
    transfers_out: int = Field(default=0, ge=0)
    transfers_in: int = Field(default=0, ge=0)
    wait: Durations = Field(description="Queued (printed, transferred, requeued) to called.")
    walk: Durations = Field(description="Called to service started (the walk to the counter).")
    service: Durations = Field(description="Service started (or called) to finished.")
    within_target: float | None = Field(
        default=None, ge=0, le=1, description="Share of calls within the service's target wait."
    )
    bookings_checked_in: int = Field(default=0, ge=0)
    bookings_no_show: int = Field(default=0, ge=0)
    bookings_unclaimed: int = Field(
        default=0, ge=0, description="Online bookings of the period never checked in at a kiosk."
    )


class HeatMap(WireModel):
    """Tickets printed per weekday (Monday first) and hour of the site's day."""

    counts: list[list[int]] = Field(description="7 rows (Mon–Sun) × 24 hours.")
    days: list[int] = Field(description="Service days per weekday in the period (for a mean).")


class DailyPoint(WireModel):
    day: date
    issued: int
    served: int
    mean_wait: float | None = None


class Ratings(WireModel):
    """SKM button-box ratings of one group: count per button, worst to best.

    ``score`` is the mean rating on the IKM's 25–100 scale (mean × 25): a
    single-question figure, not the nine-element IKM.
    """

    key: str
    name: str
    counts: list[int] = Field(min_length=4, max_length=4)
    total: int = Field(ge=0)
    mean: float | None = None
    score: float | None = None
    band: Band | None = None
    quality: str | None = None


class IkmElement(WireModel):
    code: str
    name: str
    respondents: int = Field(ge=0)
    nrr: float | None = Field(default=None, description="Mean answer (1–4), unrounded.")


class Ikm(WireModel):
    """Indeks Kepuasan Masyarakat per PermenPANRB 14/2017.

    IKM = Σ (NRR per element × 1/9) × 25, rounded to two decimals only at
    the end; the band (mutu pelayanan) follows from the rounded value.
    """

    respondents: int = Field(ge=0)
    elements: list[IkmElement]
    value: float | None = None
    band: Band | None = None
    quality: str | None = Field(default=None, description="Sangat Baik, Baik, Kurang Baik, …")


class Report(WireModel):
    """Every figure of a period, for the whole site or one agency."""

    site_id: str
    site_name: str
    timezone: str = Field(description="The site's IANA time zone (times of day are local).")
    first_day: date
    last_day: date
    agency: str | None = None
    generated_at: Timestamp
    service_days: int = Field(ge=0, description="Days in the period with tickets printed.")
    total: Figures
    agencies: list[Figures]
    services: list[Figures]
    counters: list[Figures]
    officers: list[Figures] = Field(
        default_factory=list,
        description="Per officer on duty (key: NIP), from the officer each ticket event names.",
    )
    busiest: HeatMap
    daily: list[DailyPoint]
    skm_total: Ratings
    skm_agencies: list[Ratings]
    skm_services: list[Ratings]
    skm_counters: list[Ratings]
    skm_officers: list[Ratings] = Field(default_factory=list)
    ikm: Ikm
    ikm_agencies: list[tuple[str, Ikm]] = Field(default_factory=list)
