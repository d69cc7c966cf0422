"""The kiosk's typeface: a real regular and bold face, found by path, or one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pygame

from edge import fonts
from edge.text_fit import font
from firmware_config.credentials import CredentialStore
from mqtt_broker.site_ca import make_authority, write_certificate

ROOT = Path(__file__).resolve().parent.parent


def test_regular_and_bold_are_real_dejavu_faces() -> None:
    assert fonts.face_path(False).name == "DejaVuSans.ttf"
    assert fonts.face_path(True).name == "DejaVuSans-Bold.ttf"
    pygame.font.init()
    plain_bold = pygame.font.Font(str(fonts.face_path(True)), 40)  # the face, nothing added
    drawn = font(40, True).render("Pemberdayaan", True, (0, 0, 0), (255, 255, 255))
    expected = plain_bold.render("Pemberdayaan", True, (0, 0, 0), (255, 255, 255))
    assert pygame.image.tobytes(drawn, "RGB") == pygame.image.tobytes(expected, "RGB"), (
        "never a synthetic bold on top of the bold face"
    )
    assert font(40, True).size("Pemberdayaan")[0] > font(40, False).size("Pemberdayaan")[0]


def test_a_kiosk_without_its_font_says_which_package_in_one_line(tmp_path: Path) -> None:
    secrets = tmp_path / "mqtt-credentials.json"
    CredentialStore(secrets).ensure(["kiosk-01"], {})
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    site_tls = tmp_path / "tls"  # a usable site CA, so the font is what is missing
    write_certificate(site_tls / "ca.crt", make_authority("mpp-test").certificate)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mpp.cli",
            "edge",
            "--config",
            "firmware_config/devices/kiosk-01.toml",
            "--simulate",
            "--state-dir",
            str(tmp_path / "state"),
            "--secrets",
            str(secrets),
            "--port",
            "1",
            "--tls-dir",
            str(site_tls),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=ROOT,
        env={**os.environ, "MPP_FONT_DIR": str(empty)},
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mpp: error: no screen font"), lines[0]
    assert "fonts-dejavu-core" in lines[0] and str(empty) in lines[0]
    assert result.returncode == 10
