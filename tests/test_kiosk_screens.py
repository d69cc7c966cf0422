"""Every kiosk screen at every supported resolution, held to docs/ux's rules for a public hall.

Drawn headless (tests/kiosk_render.py records each text, its size and the
colours under it) and checked as an elderly citizen needs it: capitals of
body text at least 4 mm and headings 8 mm high on the physical panel, 4.5:1
contrast against what is really under every line, touch targets at least
15 mm square and 3 mm apart, nothing cut off or shortened (only the lists of
services on agency tiles may end in "…"), a visible button on every screen
but the welcome screen. Screens of the supported panels are compared with
reference screenshots (tests/reference/kiosk/; ``MPP_UPDATE_REFERENCES=1``
rewrites them) and every frame is saved in tests/output/kiosk/ to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

import pygame
import pytest
from PIL import Image

from edge.contrast import AA, darkened_for, hex_colour, ratio
from edge.kiosk.metrics import Metrics
from edge.kiosk.model import View
from edge.kiosk.screens import SUBMIT, WHITE, KioskScreens
from edge.text_fit import cap_height
from hub.site.loader import load_site
from tests.kiosk_fixtures import RESOLUTIONS, SUPPORTED
from tests.kiosk_render import CASES, NOW, model_for, render
from tests.reference_images import assert_matches_reference

OUTPUT = Path(__file__).resolve().parent / "output" / "kiosk"
SITES = Path(__file__).resolve().parent.parent / "hub" / "site" / "sites"
BODY_CAP_MM, HEADING_CAP_MM, TARGET_MM, GAP_MM = 4.0, 8.0, 15.0, 3.0
# The first screen, or nothing to do (printing a ticket, sending a complaint or survey).
NO_BUTTON = {"welcome", "offline", "paper-out", "printing", "sending"}
ALL = [(case, resolution) for resolution in RESOLUTIONS for case in CASES]


@pytest.fixture(scope="module", autouse=True)
def pygame_headless() -> None:
    pygame.display.init()
    pygame.font.init()


@pytest.fixture(scope="module", autouse=True)
def no_stale_frames() -> None:
    """tests/output/kiosk holds the frames of today's screens only: a frame of a screen
    no case draws any more (error-*.png, paper_out-*.png of an older kiosk, still saying
    "antrian") would be looked at as if it were the kiosk's."""
    drawn = {f"{case}-{resolution}" for case in CASES for resolution in RESOLUTIONS}
    for frame in OUTPUT.glob("*.png") if OUTPUT.is_dir() else ():
        name = frame.name.removesuffix(".png").removesuffix(".actual").removesuffix(".diff")
        if name not in drawn:
            frame.unlink(missing_ok=True)


def _image(surface: pygame.Surface) -> Image.Image:
    return Image.frombytes("RGB", surface.get_size(), pygame.image.tobytes(surface, "RGB"))


@pytest.mark.parametrize(("case", "resolution"), ALL)
def test_screen_draws_and_every_text_fits_whole(case: str, resolution: str) -> None:
    shot = render(case, resolution)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pygame.image.save(shot.surface, OUTPUT / f"{case}-{resolution}.png")
    for drawn in shot.drawn:
        assert drawn.fitted.width() <= drawn.box.width, f"{drawn.text!r} wider than its box"
        assert drawn.fitted.height() <= drawn.box.height, f"{drawn.text!r} taller than its box"
        if " · " not in drawn.text:  # a list of services on a tile may end in "…"
            assert not drawn.shortened(), f"{drawn.text!r} shortened to {drawn.fitted.lines}"
    for rect, target in shot.targets:
        assert shot.surface.get_rect().contains(rect), f"{target} off screen: {rect}"
    width, height = shot.surface.get_size()
    colours = {
        shot.surface.get_at((x, y))[:3] for x in range(0, width, 50) for y in range(0, height, 50)
    }
    assert len(colours) > 2, "more than a blank screen"


@pytest.mark.parametrize(("case", "resolution"), ALL)
def test_no_text_runs_into_another_or_into_a_button(case: str, resolution: str) -> None:
    shot = render(case, resolution)
    screen = shot.surface.get_rect()
    placed = [(drawn.text, line) for drawn in shot.drawn for line in drawn.lines]
    for index, (text, line) in enumerate(placed):
        assert screen.contains(line), f"{text!r} leaves the screen: {line}"
        for other, other_line in placed[index + 1 :]:
            if other != text:
                assert not line.colliderect(other_line), f"{text!r} runs into {other!r}"
        for rect, target in shot.targets:
            if line.colliderect(rect):
                assert rect.contains(line), f"{text!r} runs into the button {target}"


@pytest.mark.parametrize(("case", "resolution"), ALL)
def test_text_is_4mm_and_headings_8mm_high_on_the_panel(case: str, resolution: str) -> None:
    shot = render(case, resolution)
    ppm = shot.metrics.px_per_mm
    assert shot.drawn
    for drawn in shot.drawn:
        cap_mm = cap_height(drawn.fitted.size, drawn.fitted.bold) / ppm
        assert cap_mm >= BODY_CAP_MM, f"{drawn.text!r}: capitals {cap_mm:.1f} mm"
        if drawn.text in shot.titles:
            assert cap_mm >= HEADING_CAP_MM, f"heading {drawn.text!r}: capitals {cap_mm:.1f} mm"


@pytest.mark.parametrize(("case", "resolution"), ALL)
def test_every_text_has_4_5_to_1_contrast_with_what_is_under_it(case: str, resolution: str) -> None:
    shot = render(case, resolution)
    for drawn in shot.drawn:
        assert drawn.under, f"{drawn.text!r}: nothing sampled under it"
        for paper in drawn.under:
            contrast = ratio(drawn.ink, paper)
            assert contrast >= AA, f"{drawn.text!r}: {drawn.ink} on {paper} is {contrast:.2f}:1"


@pytest.mark.parametrize(("case", "resolution"), ALL)
def test_touch_targets_are_15mm_and_3mm_apart(case: str, resolution: str) -> None:
    shot = render(case, resolution)
    least, apart = TARGET_MM * shot.metrics.px_per_mm, GAP_MM * shot.metrics.px_per_mm
    rects = [rect for rect, _ in shot.targets]
    for rect, target in shot.targets:
        assert min(rect.width, rect.height) >= least - 1, f"{target}: {rect} under 15 mm"
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            gap = max(b.left - a.right, a.left - b.right, b.top - a.bottom, a.top - b.bottom)
            assert gap >= apart - 1, f"{a} and {b} only {gap / shot.metrics.px_per_mm:.1f} mm apart"


@pytest.mark.parametrize("resolution", list(RESOLUTIONS))
@pytest.mark.parametrize("case", [c for c in CASES if c not in NO_BUTTON])
def test_every_screen_but_the_first_has_a_visible_way_out(case: str, resolution: str) -> None:
    shot = render(case, resolution)
    ways = {("back",): "‹ Kembali", ("home",): ("Selesai", "Kembali ke awal")}
    found = [(rect, target) for rect, target in shot.targets if target in ways]
    assert found, f"{case}: no Kembali/Selesai button"
    labels = [d.text for d in shot.drawn]
    assert any(label in labels for label in ("‹ Kembali", "Selesai", "Kembali ke awal"))


@pytest.mark.parametrize("resolution", SUPPORTED)
@pytest.mark.parametrize("case", CASES)
def test_screens_match_their_reference_screenshots(case: str, resolution: str) -> None:
    assert_matches_reference(
        _image(render(case, resolution).surface), "kiosk", f"{case}-{resolution}"
    )


def test_closed_services_say_why_and_when_and_cannot_be_tapped() -> None:
    shot = render("services", "portrait-1080x1920")
    services = [t[1] for _, t in shot.targets if t[0] == "service"]
    # DUK-KTP is full for today in the fixture: listed, with the reason and the next opening
    assert services == ["DUK-KK", "DUK-AKTA", "DUK-PINDAH", "DUK-KIA"]
    texts = [" ".join(d.text.split()) for d in shot.drawn]  # no-break spaces as spaces
    assert "Perekaman dan Pencetakan KTP-el" in texts
    assert "Kuota hari ini sudah habis" in texts
    assert "Buka besok pukul 07.30" in texts
    model = model_for("services")
    assert model.tap(("service", "DUK-KTP"), 0.0) is None and model.view is View.SERVICES


def test_a_closed_shortcut_says_so_and_an_open_one_leads_to_the_question() -> None:
    shot = render("welcome", "portrait-1080x1920")
    shortcuts = [t[1] for _, t in shot.targets if t[0] == "shortcut"]
    assert "DUK-KK" in shortcuts and "POL-SIM" in shortcuts
    assert "DUK-KTP" not in shortcuts, "full for today: not tappable"
    assert "Kuota habis" in [d.text for d in shot.drawn]
    model = model_for("welcome")
    model.tap(("shortcut", "POL-SIM"), 0.0)
    assert (model.view, model.agency, model.service) == (View.CATEGORY, "POLRES", "POL-SIM")


def test_long_lists_page_instead_of_shrinking() -> None:
    model = model_for("agencies")
    seen: list[str] = []
    surface = pygame.Surface(RESOLUTIONS["small-1024x600"])
    screens = KioskScreens(surface)
    for _ in range(10):
        targets = screens.draw(model, NOW)
        seen += [t[1] for _, t in targets if t[0] == "agency"]
        if ("page", "next") not in [t for _, t in targets]:
            break
        model.tap(("page", "next"), 0.0)
    assert screens.pages > 1
    assert seen == [a.code for a in model.catalogue.agencies], "every agency once, in order"  # type: ignore[union-attr]


def test_every_agency_colour_of_every_site_carries_white_text() -> None:
    for path in sorted(SITES.glob("*.toml")):
        for agency in load_site(path).agencies:
            tile = darkened_for(hex_colour(agency.colour), WHITE)
            assert ratio(WHITE, tile) >= AA, f"{path.name}: {agency.code} {agency.colour}"


def test_physical_size_comes_from_the_device_file() -> None:
    seven_inch = Metrics.of((1024, 600), 154.2)
    same_pixels_bigger_panel = Metrics.of((1024, 600), 300.0)
    assert seven_inch.target >= 15 * 1024 / 154.2 - 1
    assert same_pixels_bigger_panel.target < seven_inch.target, "bigger pixels: fewer of them"
    surface = pygame.Surface((1024, 600))
    assert KioskScreens(surface, 300.0).m == same_pixels_bigger_panel


def _done_texts(service: str, resolution: str) -> list[str]:
    """The texts of the done screen for a ticket of ``service``, as drawn."""
    from tests.kiosk_render import recording

    model = model_for("done")
    assert model.catalogue is not None and model.ticket is not None
    name = next(s.name for s in model.catalogue.services if s.code == service)
    model.ticket = model.ticket.model_copy(update={"service": service, "service_name": name})
    screens = KioskScreens(pygame.Surface(RESOLUTIONS[resolution]))
    with recording() as drawn:
        screens.draw(model, NOW)
    return [d.text for d in drawn]


@pytest.mark.parametrize("resolution", ["small-1024x600", "landscape-1920x1080"])
def test_the_done_screen_says_where_to_wait_in_plain_sentences(resolution: str) -> None:
    """Seen: "Silakan tunggu di ruang tunggu lantai 1, loket 1 sampai 4 sampai nomor Anda
    dipanggil" — the area under a label, the instruction a sentence of its own."""
    site = load_site()
    for service in site.services:
        area = site.agency(service.agency).waiting_area
        assert area, f"{service.agency} has no waiting area in the default site"
        said = " ".join(" ".join(_done_texts(service.code, resolution)).split())
        assert f"Ruang tunggu: {area}." in said, (service.code, said)
        assert "Tunggu sampai nomor Anda dipanggil." in said
        for sentence in said.split(". "):
            assert sentence.count("sampai") <= 1, (service.code, sentence)


@pytest.mark.parametrize("resolution", list(RESOLUTIONS))
def test_a_number_stays_on_the_line_of_its_sign_and_unit(resolution: str) -> None:
    """Seen at 1920x1080: "perkiraan tunggu ±" / "18 menit." on two lines (and "pukul" /
    "07.30" on an error screen)."""
    cases = ("done", "services", "services-quiet-and-busy", "refused", "booking-slot-passed")
    for case in (*cases, "booking-other-day"):
        for drawn in render(case, resolution).drawn:
            for line in drawn.fitted.lines:
                words = line.split()
                assert not words or words[-1] not in ("±", "dari", "pukul"), (case, line)
                assert not re.match(r"(menit|jam|orang)\b", line), (case, line)


@pytest.mark.parametrize("resolution", list(RESOLUTIONS))
def test_the_code_keys_share_one_size_and_submit_says_lanjut(resolution: str) -> None:
    """Seen: the "W" key drawn smaller than the other letters (each key shrank on its
    own), and "OK" where every other screen goes on with "Lanjut ›"."""
    sizes: dict[str, int] = {}
    for case in ("booking", "booking-letters"):
        shot = render(case, resolution)
        keys = {t[1]: rect for rect, t in shot.targets if t[0] == "key"}
        for drawn in shot.drawn:
            if drawn.text in keys and keys[drawn.text].contains(drawn.box):
                sizes[drawn.text] = drawn.fitted.size
        texts = [" ".join(d.text.split()) for d in shot.drawn]
        assert "Lanjut ›" in texts and "OK" not in texts, texts
        row = [d for d in shot.drawn if d.text in ("123", "A–M", "N–Z", "Hapus", SUBMIT)]
        assert len(row) == 5 and len({d.fitted.size for d in row}) == 1, "one size per row"
        assert all(len(d.fitted.lines) == 1 for d in row), [d.fitted.lines for d in row]
    assert "W" in sizes and "1" in sizes and "N" in sizes, sizes
    assert len(set(sizes.values())) == 1, sizes


@pytest.mark.parametrize("resolution", list(RESOLUTIONS))
def test_the_ticket_screens_keep_their_help_and_one_wording(resolution: str) -> None:
    """Seen at 1024x600: "Nomor tiket tidak ditemukan." alone (its second sentence and
    "(boleh kosong)" dropped), and "boleh kosong" here, "boleh dikosongkan" there."""
    from edge.kiosk.feedback import NOT_SERVED, SHORT_NOTICES, TICKET_UNKNOWN
    from tests.kiosk_render import recording

    cases = ("complaint-ticket", "complaint-ticket-unknown", "complaint-contact")
    said = {
        case: [" ".join(d.text.split()) for d in render(case, resolution).drawn] for case in cases
    }
    for case, texts in said.items():
        assert not any(re.search(r"boleh kosong\b", text) for text in texts), (case, texts)
        if case != "complaint-ticket-unknown":  # there the notice says it ("atau kosongkan")
            assert any("(boleh dikosongkan)" in text for text in texts), (case, texts)
    unknown = [t for t in said["complaint-ticket-unknown"] if "ditemukan" in t]
    assert len(unknown) == 1 and "Periksa kembali" in unknown[0], unknown
    assert "kosongkan" in unknown[0], "the complaint's ticket may be left empty: it says so"
    for notice in (TICKET_UNKNOWN, NOT_SERVED):  # the survey's, on the same screen
        model = model_for("survey-ticket")
        model.feedback.notice = notice
        screens = KioskScreens(pygame.Surface(RESOLUTIONS[resolution]))
        with recording() as drawn:
            screens.draw(model, NOW)
        shown = [d.text for d in drawn if d.text in (notice, SHORT_NOTICES[notice])]
        assert shown, [d.text for d in drawn]
        assert all(not d.shortened() for d in drawn), "nothing cut off"
