"""Dispatch quality: simulated days at the default site, the MPP policy against baselines.

A seeded discrete-event simulation drives the real queue service (admission,
estimates, dispatch policy, SQLite store) through a Monday at MPP Lampung
Timur with an injected clock (bench/simday/day.py). A profile file
(bench/profiles/*.toml) says who comes: tickets, arrival shape per half hour,
demand per service, priority, bookings (checked in through the real
check-in path) with no-shows and late arrivals, walk-outs, absence when
called, service-time CVs, counters present. The hub applies the site's
closing time, breaks, cut-off, quotas and capacity admission as it does in
the building; whoever still waits at closing is counted, never served at
22.00 unnoticed.

Every policy sees the same citizens for a seed; figures are the mean over
seeds ± the 95 % confidence interval, with paired differences against FIFO.
Per agency, the reference is M/G/c (Allen–Cunneen) where ρ < 1 and the fluid
backlog from the opening queue where ρ ≥ 1 (bench/simday/reference.py).

    .venv/bin/python bench/dispatch_sim.py [--profile bench/profiles/busy.toml]
        [--seeds 10] [--policies mpp fifo ...] [--jobs 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.simday.baselines import (  # noqa: E402
    FifoGuaranteesPolicy,
    FifoPriorityPolicy,
    LongestQueuePolicy,
)
from bench.simday.day import simulate_day  # noqa: E402
from bench.simday.profile import Profile, citizens, load_profile  # noqa: E402
from bench.simday.reference import references  # noqa: E402
from bench.simday.stats import day_figures, mean_ci  # noqa: E402
from hub.dispatch.policy import DispatchPolicy  # noqa: E402
from hub.site.loader import load_site  # noqa: E402
from hub.site.schema import PriorityRule, Site  # noqa: E402

DAY_START = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # Monday 07.30 WIB: the kiosk opens
OPENING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 08.00 WIB: first call
PROFILES = ROOT / "bench" / "profiles"
DEFAULT_PROFILES = [PROFILES / "normal.toml", PROFILES / "busy.toml"]
BASELINE = "fifo"


def _with_dispatch(**changes: Any) -> Callable[[Site], tuple[Site, DispatchPolicy | None]]:
    def make(site: Site) -> tuple[Site, DispatchPolicy | None]:
        dispatch = site.dispatch.model_copy(update=changes)
        return site.model_copy(update={"dispatch": dispatch}), None

    return make


POLICIES: dict[str, Callable[[Site], tuple[Site, DispatchPolicy | None]]] = {
    "mpp": _with_dispatch(),  # the site's own settings
    "mpp-strict": _with_dispatch(priority_rule=PriorityRule.STRICT),
    "mpp-no-guarantee": _with_dispatch(priority_max_wait_minutes=None),
    "fifo": _with_dispatch(policy="fifo"),
    "fifo-priority": lambda site: (site, FifoPriorityPolicy()),
    "fifo-guarantees": lambda site: (site, FifoGuaranteesPolicy(site.dispatch)),
    "longest-queue": lambda site: (site, LongestQueuePolicy()),
}


def with_booking_reserve(site: Site, profile: Profile, scale: float = 1.0) -> Site:
    """The site keeping for online bookings the share of each agency's day that the
    profile's citizens book (``[booking_share]``, times ``scale``), as a site manager
    would set it."""
    agencies = [
        a.model_copy(
            update={"booking_share": min(1.0, scale * profile.booking_share.get(a.code, 0.0))}
        )
        for a in site.agencies
    ]
    return site.model_copy(update={"agencies": agencies})


def run_one(job: tuple[str, str | None, int, str, float]) -> dict[str, float]:
    """One (profile, seed, policy) day; returns its flat figures (runs in a worker)."""
    profile_path, site_path, seed, policy, reserve = job
    logging.disable(logging.WARNING)  # refusals at the kiosk are the point, not news
    base = load_site(Path(site_path)) if site_path else load_site()
    profile = load_profile(Path(profile_path))
    if reserve:
        base = with_booking_reserve(base, profile, reserve)
    site, chosen = POLICIES[policy](base)
    people = citizens(site, profile, seed, DAY_START)
    shm = Path("/dev/shm")  # noqa: S108 - the store lives in tmpfs: this measures dispatch
    with tempfile.TemporaryDirectory(prefix="mpp-sim-", dir=shm if shm.is_dir() else None) as d:
        day = simulate_day(site, profile, people, Path(d), DAY_START, chosen)
    return day_figures(day, [a.code for a in site.agencies])


def run_profile(
    profile_path: Path,
    site_path: Path | None,
    seeds: int,
    policies: list[str],
    jobs: int,
    reserve: float = 0.0,
) -> dict[str, Any]:
    site = load_site(site_path) if site_path else load_site()
    profile = load_profile(profile_path)
    work = [
        (str(profile_path), str(site_path) if site_path else None, seed, policy, reserve)
        for seed in range(1, seeds + 1)
        for policy in policies
    ]
    started = time.perf_counter()
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(run_one, work))
    else:
        results = [run_one(job) for job in work]
    elapsed = time.perf_counter() - started
    by_policy: dict[str, list[dict[str, float]]] = {p: [] for p in policies}
    for job, figures in zip(work, results, strict=True):
        by_policy[job[3]].append(figures)
    refs = [
        references(site, citizens(site, profile, s, DAY_START), OPENING)
        for s in range(1, seeds + 1)
    ]
    return summarise(site, profile.name, profile.tickets, seeds, by_policy, refs, elapsed)


def summarise(
    site: Site,
    name: str,
    tickets: int,
    seeds: int,
    by_policy: dict[str, list[dict[str, float]]],
    refs: list[dict[str, Any]],
    elapsed: float,
) -> dict[str, Any]:
    """Everything, keyed as ``--json`` promises (see docs/hub.md, Reading the simulation)."""

    def avg(policy: str, key: str) -> float:
        return round(mean_ci([f[key] for f in by_policy[policy]])[0], 2)

    def ci(policy: str, key: str) -> list[float]:
        mean, half = mean_ci([f[key] for f in by_policy[policy]])
        return [round(mean, 2), round(half, 2)]

    def paired(policy: str, key: str, baseline: str = BASELINE) -> list[float] | None:
        if baseline not in by_policy:
            return None
        diffs = [
            mine[key] - base[key]
            for mine, base in zip(by_policy[policy], by_policy[baseline], strict=True)
        ]
        mean, half = mean_ci(diffs)
        return [round(mean, 2), round(half, 2)]

    keys = ("mean", "p50", "p90", "p95", "max", "within_target")
    out: dict[str, Any] = {
        "profile": name,
        "tickets": tickets,
        "seeds": seeds,
        "runtime_s": round(elapsed, 1),
        "policies": {},
        "agencies": {},
        "paired_vs_fifo": {},
    }
    for policy in by_policy:
        out["policies"][policy] = {
            "categories": {
                category: {k: avg(policy, f"{category}.{k}") for k in keys}
                for category in ("regular", "priority")
            },
            "all": {k: avg(policy, f"all.{k}") for k in keys},
            "ci95": {
                f"{category}.{k}": ci(policy, f"{category}.{k}")
                for category in ("regular", "priority")
                for k in ("mean", "p95")
            },
        }
        out["paired_vs_fifo"][policy] = {
            "regular_mean": paired(policy, "regular.mean"),
            "priority_p95": paired(policy, "priority.p95"),
            "regular_mean_vs_fifo_priority": paired(policy, "regular.mean", "fifo-priority"),
            "regular_mean_vs_fifo_guarantees": paired(policy, "regular.mean", "fifo-guarantees"),
        }
    for key in (
        "turned_away",
        "walked_out",
        "waiting_at_closing",
        "not_served",
        "overtime_min",
        "estimate_within",
        "estimate_mean_error_min",
        "issued",
        "bookings_checked_in",
    ):
        out[key] = {policy: avg(policy, key) for policy in by_policy}
    for agency in [a.code for a in site.agencies]:
        seen = [r[agency] for r in refs if agency in r]
        if not seen:
            continue
        entry: dict[str, Any] = {
            "counters": seen[0].counters,
            "rho_peak": round(mean_ci([r.rho_peak for r in seen])[0], 2),
            "reference_mean": round(mean_ci([r.reference_mean for r in seen])[0], 2),
        }
        for policy in by_policy:
            prefix = f"agency.{agency}"
            entry[policy] = {
                "mean": avg(policy, f"{prefix}.mean"),
                "p95": avg(policy, f"{prefix}.p95"),
                "regular_mean": avg(policy, f"{prefix}.regular_mean"),
                "turned_away": avg(policy, f"{prefix}.turned_away"),
                "regular_vs_fifo": paired(policy, f"{prefix}.regular_mean"),
                "regular_vs_fifo_priority": paired(
                    policy, f"{prefix}.regular_mean", "fifo-priority"
                ),
                "regular_vs_fifo_guarantees": paired(
                    policy, f"{prefix}.regular_mean", "fifo-guarantees"
                ),
                "all_vs_fifo": paired(policy, f"{prefix}.mean"),
            }
        out["agencies"][agency] = entry
    return out


def print_report(out: dict[str, Any]) -> None:
    print(
        f"\n{out['profile']}: {out['seeds']} seeds, {len(out['policies'])} policies, "
        f"{out['runtime_s']} s; waits in minutes (mean ± 95 % CI over seeds)"
        + (
            f"; booking reserve {out['booking_reserve']:g} × the profile's booking shares"
            if out.get("booking_reserve")
            else ""
        )
    )
    print(
        "  bookings checked in "
        + ", ".join(f"{p} {n:.0f}" for p, n in out["bookings_checked_in"].items())
        + "; walk-ins turned away "
        + ", ".join(f"{p} {n:.0f}" for p, n in out["turned_away"].items())
    )
    print(
        f"  {'policy':17} {'regular mean':>14} {'p50':>5} {'p90':>5} {'p95':>5} {'max':>5} "
        f"{'in tgt':>6} | {'prio mean':>9} {'p95':>12} | {'away':>5} {'walk':>4} "
        f"{'wait@close':>10} {'overtime':>8} | {'estimate ok':>11} {'err':>4}"
    )
    for policy, figures in out["policies"].items():
        reg, pri, ci95 = (
            figures["categories"]["regular"],
            figures["categories"]["priority"],
            figures["ci95"],
        )
        rm, rh = ci95["regular.mean"]
        pm, ph = ci95["priority.p95"]
        print(
            f"  {policy:17} {rm:7.1f} ± {rh:4.1f} {reg['p50']:5.1f} {reg['p90']:5.1f} "
            f"{reg['p95']:5.1f} {reg['max']:5.0f} {100 * reg['within_target']:5.0f}% | "
            f"{pri['mean']:9.1f} {pm:5.1f} ± {ph:4.1f} | "
            f"{out['turned_away'][policy]:5.0f} {out['walked_out'][policy]:4.0f} "
            f"{out['waiting_at_closing'][policy]:10.1f} {out['overtime_min'][policy]:8.0f} | "
            f"{100 * out['estimate_within'][policy]:10.0f}% "
            f"{out['estimate_mean_error_min'][policy]:4.1f}"
        )
    policies = list(out["policies"])
    print(
        f"  {'agency':13} {'counters':>8} {'ρ peak':>6} {'reference':>9} | "
        + " | ".join(f"{p:>16}" for p in policies)
        + " | regular mpp − fifo | mpp − fifo-priority | mpp − fifo-guarantees"
    )
    for agency, entry in out["agencies"].items():
        cells = " | ".join(f"{entry[p]['mean']:7.1f} p95 {entry[p]['p95']:5.1f}" for p in policies)
        diff = entry.get("mpp", {}).get("regular_vs_fifo")
        own = entry.get("mpp", {}).get("regular_vs_fifo_priority")
        kept = entry.get("mpp", {}).get("regular_vs_fifo_guarantees")
        away = entry.get("mpp", {}).get("turned_away", 0.0)
        print(
            f"  {agency:13} {entry['counters']:8d} {entry['rho_peak']:6.2f} "
            f"{entry['reference_mean']:9.1f} | {cells} | {_pm(diff):>13} | {_pm(own):>13} "
            f"| {_pm(kept):>13}" + (f"  (turned away {away:.0f})" if away else "")
        )
    if "mpp" in out["policies"]:
        print_goals(out)


def _pm(pair: list[float] | None) -> str:
    return "n/a" if pair is None else f"{pair[0]:+5.1f} ± {pair[1]:4.1f}"


def print_goals(out: dict[str, Any]) -> None:
    """The issue's goals for this profile, each with its figure."""
    mpp = out["policies"]["mpp"]
    lines = [
        (f"priority p95 {mpp['categories']['priority']['p95']:.1f} min ≤ 10",
         mpp["categories"]["priority"]["p95"] <= 10),
        (f"nobody waiting at closing + grace: {out['waiting_at_closing']['mpp']:.1f}",
         out["waiting_at_closing"]["mpp"] == 0),
        (f"estimate within ± max(5 min, 25 %): {100 * out['estimate_within']['mpp']:.0f} % ≥ 80 %",
         out["estimate_within"]["mpp"] >= 0.8),
        (f"site-wide p50 {mpp['all']['p50']:.1f} ≤ 10 and p90 {mpp['all']['p90']:.1f} ≤ 20 "
         "(the normal day's goal)",
         mpp["all"]["p50"] <= 10 and mpp["all"]["p90"] <= 20),
    ]  # fmt: skip
    names = {
        "regular_vs_fifo": "FIFO",
        "regular_vs_fifo_priority": "FIFO with priority first",
        "regular_vs_fifo_guarantees": "FIFO with the priority and booking guarantees",
    }
    for baseline, name in names.items():
        pairs = {a: e["mpp"].get(baseline) for a, e in out["agencies"].items() if "mpp" in e}
        if any(p is None for p in pairs.values()):
            continue
        worse = [f"{a} {_pm(p)}" for a, p in pairs.items() if p and p[0] - p[1] > 0]
        lines.append((f"regular mean no worse than {name} per agency: {worse or 'all'}", not worse))
    pairs = {a: e["mpp"].get("all_vs_fifo") for a, e in out["agencies"].items() if "mpp" in e}
    if all(p is not None for p in pairs.values()):
        worse = [f"{a} {_pm(p)}" for a, p in pairs.items() if p and p[0] - p[1] > 0]
        lines.append(
            (f"everyone's mean (priority and bookings too) no worse than FIFO: {worse or 'all'}",
             not worse)
        )  # fmt: skip
    over = [
        f"{a} {e['mpp']['mean']:.1f} > 1.10 × {e['reference_mean']:.1f}"
        for a, e in out["agencies"].items()
        if "mpp" in e
        and e["rho_peak"] < 1
        and e["mpp"]["mean"] > max(1.10 * e["reference_mean"], e["reference_mean"] + 1)
    ]
    lines.append(
        (f"per-agency mean ≤ 1.10 × reference (+1 min) where ρ < 1: {over or 'all'}", not over)
    )
    print("  goals:")
    for text, ok in lines:
        print(f"    [{'ok' if ok else '--'}] {text}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", type=Path, action="append", help="profile TOML (repeatable)")
    parser.add_argument("--site", type=Path, help="site file (default: the bundled site)")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--policies", nargs="+", default=list(POLICIES), choices=list(POLICIES))
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--json", type=Path, help="write the figures here (one profile)")
    parser.add_argument(
        "--booking-reserve",
        type=float,
        nargs="?",
        const=1.0,
        default=0.0,
        metavar="SCALE",
        help="the site keeps for bookings each agency's profile booking share of its day "
        "(times SCALE, default 1: booking_share in the site file), as the hub's capacity "
        "rule applies it",
    )
    args = parser.parse_args()
    profiles = args.profile or DEFAULT_PROFILES
    if args.json and len(profiles) > 1:
        parser.error("--json takes one --profile")
    for path in profiles:
        out = run_profile(
            path, args.site, args.seeds, args.policies, args.jobs, args.booking_reserve
        )
        out["booking_reserve"] = args.booking_reserve
        print_report(out)
        if args.json:
            args.json.write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
