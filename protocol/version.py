"""Schema versioning of every payload.

Every payload carries ``schema_version`` as ``"MAJOR.MINOR"``. A receiver
accepts any minor version of its own major version and rejects any other
major version with a clear error instead of guessing at the meaning of the
fields. Minor versions only ever add optional fields; because wire models
forbid unknown fields, the hub is upgraded before the devices.
"""

from __future__ import annotations

import re

SCHEMA_MAJOR = 1
SCHEMA_MINOR = 5
SCHEMA_VERSION = f"{SCHEMA_MAJOR}.{SCHEMA_MINOR}"
SCHEMA_VERSION_PATTERN = r"^[0-9]{1,3}\.[0-9]{1,3}$"

_VERSION_RE = re.compile(SCHEMA_VERSION_PATTERN)


def parse_schema_version(value: object) -> tuple[int, int] | None:
    """Return ``(major, minor)`` for a well-formed version string, else ``None``."""
    if not isinstance(value, str) or not _VERSION_RE.match(value):
        return None
    major, minor = value.split(".")
    return int(major), int(minor)


def software_version() -> str:
    """Version of the installed ``antrian-mpp`` distribution, for births and logs."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("antrian-mpp")
    except PackageNotFoundError:
        return "0+unknown"
