"""``mpp demo``: the whole system on this machine with embedded defaults."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo", help="run broker + hub + simulated devices locally on embedded defaults"
    )
    demo.add_argument("--state-dir", type=Path, help="where the demo keeps its files")
    demo.add_argument(
        "--duration", type=float, default=0.0, help="stop after this many seconds (0: Ctrl-C)"
    )
    demo.add_argument(
        "--pace",
        type=float,
        default=1.0,
        help="scale the simulated people's pauses (0.1 = ten times faster)",
    )
    demo.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from mpp.demo import run_demo

    return run_demo(args.state_dir, args.duration, pace=args.pace)
