"""One wording on the display side: the glossary (edge/wording.py) over every text shown or said.

The surfaces' texts come from tests/surface_texts.py (one collector per
surface); the kiosk and ticket have their own in tests/test_glossary.py.
"""

from __future__ import annotations

import pytest

from edge.wording import problems
from tests.surface_texts import SURFACES

# Proper names the glossary does not judge (agency names are the agencies' own).
ALLOWED = ("Koperasi & Naker",)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_surface_follows_the_glossary(surface: str) -> None:
    texts = SURFACES[surface]()
    assert texts, f"{surface}: nothing collected"
    found = [problem for text in texts for problem in problems(text, ALLOWED)]
    assert not found, "\n".join(found)
