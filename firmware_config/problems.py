"""One problem found in a configuration file, printed as ``file: field.path: message``.

Checks collect problems instead of raising at the first one, so a technician
sees everything wrong with an inventory in one run rather than one fix per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """Where (file and field path) and what; a warning is reported but does not fail a check."""

    file: Path | str
    where: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.warning else self.message
        return ": ".join(str(part) for part in (self.file, self.where, message) if str(part))


def errors(problems: list[Problem]) -> list[Problem]:
    """The problems that make a configuration unusable (everything but warnings)."""
    return [problem for problem in problems if not problem.warning]
