"""The site side of ``mpp config validate``.

``firmware_config`` may not import ``hub`` (edge devices import it), so the
command layer (``mpp``) loads the site file for the config command.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from firmware_config.checks import SiteFacts


def load_site_for_checks(path: Path | None) -> tuple[Path, SiteFacts]:
    """The site file (default: the bundled default site) and its contents.

    Raises :class:`ConfigError` with one ``file: field: problem`` line per
    problem, so the config command reports them with its own.
    """
    from firmware_config.inventory import ConfigError
    from hub.site.loader import DEFAULT_SITE, SiteError, load_site

    site_file = path or DEFAULT_SITE
    try:
        return site_file, load_site(site_file)
    except SiteError as error:
        raise ConfigError(str(error)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{site_file}: not valid TOML: not UTF-8 text") from None
    except OSError as error:
        raise ConfigError(f"{site_file}: cannot be read: {error.strerror or error}") from None
