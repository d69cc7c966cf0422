"""Technician's tools: how long a card takes apart from the card itself.

Builds a Raspberry-Pi-OS-sized image (4 GB, sparse: 512 MB FAT32 boot
partition, the rest a root partition) with truncate + sfdisk + mkfs.vfat, then
times, each as the technician runs it (an ``mpp`` process):

- ``mpp image customize --out`` (copy of the sparse image + identity), p50 of runs;
- ``mpp image flash`` of a 256 MB image to a file: write + fsync + read-back
  SHA-256, in MB/s (an upper bound: a card writes at 10–90 MB/s).

    .venv/bin/python bench/image_tools.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOOT_START = 8192
BOOT_SECTORS = 1048576  # 512 MiB, as Raspberry Pi OS


def mpp(*args: object, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "mpp.cli", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"mpp {' '.join(map(str, args))} failed: {result.stderr.strip()}")
    return time.perf_counter() - started


def base_image(path: Path) -> None:
    subprocess.run(["truncate", "-s", "4G", str(path)], check=True)
    layout = (
        f"label: dos\nstart={BOOT_START}, size={BOOT_SECTORS}, type=c\n"
        f"start={BOOT_START + BOOT_SECTORS}, type=83\n"
    )
    subprocess.run(["sfdisk", "-q", str(path)], input=layout.encode(), check=True)
    subprocess.run(
        [
            "mkfs.vfat",
            "-F",
            "32",
            "-n",
            "bootfs",
            "--offset",
            str(BOOT_START),
            str(path),
            str(BOOT_SECTORS // 2),
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        ["mcopy", "-i", f"{path}@@{BOOT_START * 512}", "-", "::/cmdline.txt"],
        input=b"console=tty1 root=PARTUUID=0-02 rootwait\n",
        check=True,
        env={**os.environ, "MTOOLS_SKIP_CHECK": "1"},
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mpp-bench-image-") as scratch:
        work = Path(scratch)
        env = {"XDG_STATE_HOME": str(work / "state")}
        mpp(
            "broker",
            "render",
            "--inventory",
            ROOT / "firmware_config",
            "--out",
            work / "b",
            env=env,
        )
        key = work / "key.pub"
        key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBench bench@laptop\n")
        base = work / "base.img"
        base_image(base)
        times = [
            mpp("image", "customize", base, "--device", "counter-01", "--out", work / f"c{run}.img",
                "--ssh-key", key, env=env)
            for run in range(args.runs)
        ]  # fmt: skip
        on_disk = (work / "c0.img").stat().st_blocks * 512 / 1e6
        for run in range(args.runs):
            (work / f"c{run}.img").unlink()

        image = work / "flash.img"
        with image.open("wb") as handle:
            for _ in range(64):
                handle.write(os.urandom(4 * 1024 * 1024))
        size_mb = image.stat().st_size / 1e6
        flashes = [
            mpp("image", "flash", image, work / "card.bin", "--yes", env=env)
            for _ in range(max(1, args.runs // 2))
        ]
    customize = statistics.median(times)
    flash = statistics.median(flashes)
    print(f"{args.runs} runs each")
    print(
        f"customize (4 GB sparse image, copy + identity): p50 {customize:.2f} s, "
        f"max {max(times):.2f} s; copy on disk {on_disk:.1f} MB"
    )
    print(
        f"flash to a file ({size_mb:.0f} MB, write + fsync + read back + SHA-256): "
        f"p50 {flash:.2f} s = {2 * size_mb / flash:.0f} MB/s through (written and read)"
    )


if __name__ == "__main__":
    main()
