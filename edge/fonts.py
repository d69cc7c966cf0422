"""The screens' typeface: a real humanist sans from the system's font packages.

pygame's built-in font is a single face made bold by smearing it sideways,
which breaks letter spacing ("Pemberd ayaan"). Kiosk and display screens use
DejaVu Sans instead, a real regular and a real bold face: Debian's
``fonts-dejavu-core`` (installed by ``scripts/bootstrap.sh``, part of every
Raspberry Pi OS image). Noto Sans (``fonts-noto-core``) is the fallback. The
order is fixed so that a screen renders the same pixels on every machine
that has DejaVu, which the reference screenshots rely on.

``MPP_FONT_DIR`` points at another directory holding the same file names.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from edge.hardware.choice import HardwareError

SEARCH = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/noto"),
    Path("/usr/share/fonts/TTF"),  # Arch, Fedora-like layouts
)
FACES = {
    False: ("DejaVuSans.ttf", "NotoSans-Regular.ttf"),
    True: ("DejaVuSans-Bold.ttf", "NotoSans-Bold.ttf"),
}
PACKAGE = "fonts-dejavu-core"


class FontMissingError(HardwareError):
    """No usable typeface on this machine (one line, with the package to install)."""


@cache
def face_path(bold: bool = False) -> Path:
    """The file of the regular or bold face; FontMissingError names the package if absent."""
    override = os.environ.get("MPP_FONT_DIR")
    places = (Path(override),) if override else SEARCH
    for name in FACES[bold]:
        for place in places:
            if (place / name).is_file():
                return place / name
    where = ", ".join(str(p) for p in places)
    raise FontMissingError(
        f"no {'bold ' if bold else ''}screen font ({' or '.join(FACES[bold])}) in {where}: "
        f"install it with `sudo apt-get install {PACKAGE}`"
    )


def check() -> None:
    """Fail at start-up, not at the first frame, when a face is missing."""
    face_path(False)
    face_path(True)
