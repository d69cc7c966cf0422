"""Loading a site file; the hub refuses to start on an invalid one rather than guess."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hub.site.checks import site_problems
from hub.site.schema import Site

SITES_DIR = Path(__file__).resolve().parent / "sites"
DEFAULT_SITE = SITES_DIR / "lampung-timur.toml"


class SiteError(ValueError):
    """The site file cannot be used; the message lists every problem found."""


def load_site(path: Path = DEFAULT_SITE) -> Site:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise SiteError(f"{path}: site file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise SiteError(f"{path}: not valid TOML: {error}") from None
    try:
        site = Site.model_validate(data)
    except ValidationError as error:
        raise SiteError(_format(path, data, error)) from None
    problems = site_problems(site)
    if problems:
        raise SiteError("\n".join(f"{path}: {problem}" for problem in problems))
    return site


def _format(path: Path, data: dict[str, Any], error: ValidationError) -> str:
    lines = []
    for item in error.errors(include_url=False):
        where = _where(data, item["loc"])
        got = "" if item["type"] == "missing" else f" (got {item.get('input')!r:.60})"
        lines.append(f"{path}: {where}: {item['msg']}{got}")
    return "\n".join(lines)


def _where(data: dict[str, Any], loc: tuple[int | str, ...]) -> str:
    """``services[3] (DUK-KTP).daily_quota`` from a pydantic location."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            parts[-1] += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            label = _label(node)
            if label:
                parts[-1] += f" ({label})"
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) or "(file)"


def _label(node: Any) -> str | None:
    if isinstance(node, dict):
        for key in ("code", "name", "number"):
            if key in node:
                return str(node[key])
    return None
