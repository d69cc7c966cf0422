#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian / Raspberry Pi OS machine:
# mosquitto (+ clients), espeak-ng, the DejaVu fonts, Python venv support and the image tools (fdisk,
# dosfstools, mtools, shellcheck, cloud-init) from apt when missing, then a
# virtual environment in .venv with the project and its dev extras.
# Sourced by run-demo.sh and run-tests.sh; safe to run again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)  # the display's voice clips
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf ] || missing+=(fonts-dejavu-core)  # screen font (edge/fonts.py)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)  # tests look at the HTML report
python3 -c "import ensurepip, venv" >/dev/null 2>&1 || missing+=(python3-venv python3-pip)
# mpp image: partition tables, FAT boot partitions written without mounting;
# the tests' tiny images (mkfs.vfat, fsck.vfat) and the recipe's shellcheck.
PATH="$PATH:/usr/sbin:/sbin" command -v sfdisk >/dev/null 2>&1 || missing+=(fdisk)
PATH="$PATH:/usr/sbin:/sbin" command -v mkfs.vfat >/dev/null 2>&1 || missing+=(dosfstools)
command -v mcopy >/dev/null 2>&1 || missing+=(mtools)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
# cloud-init, to check the user-data `mpp image customize` writes (`cloud-init
# schema`). Installed only for that: switched off at this machine's boot.
install_cloud_init=0
command -v cloud-init >/dev/null 2>&1 || { missing+=(cloud-init); install_cloud_init=1; }
if [ "${#missing[@]}" -gt 0 ]; then
    echo "bootstrap: installing ${missing[*]} with apt-get" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    if [ "$install_cloud_init" -eq 1 ]; then
        as_root mkdir -p /etc/cloud
        as_root touch /etc/cloud/cloud-init.disabled
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# chronyd, only to check the rendered chrony.conf files in the tests (`chronyd -p`):
# unpacked from Debian's package into a cache, never installed, so the machine's
# own time service (systemd-timesyncd on a laptop) is left alone.
CHRONY_TOOLS="${XDG_CACHE_HOME:-$HOME/.cache}/mpp/tools/chrony"
if ! command -v chronyd >/dev/null 2>&1 && [ ! -x "$CHRONY_TOOLS/usr/sbin/chronyd" ]; then
    echo "bootstrap: unpacking chrony into $CHRONY_TOOLS (for tests; not installed)" >&2
    download="$(mktemp -d)"
    if ! (cd "$download" && apt-get download -qq chrony 2>/dev/null); then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        (cd "$download" && apt-get download -qq chrony)
    fi
    mkdir -p "$CHRONY_TOOLS"
    dpkg-deb -x "$download"/chrony_*.deb "$CHRONY_TOOLS"
    rm -rf "$download"
fi

python3 - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"bootstrap: Python 3.11 or newer is needed, found {sys.version.split()[0]}")
PY

stamp="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    # The first run takes minutes: say what happens, and let pip show each package
    # and its download. CI logs keep only the step lines (CI=true).
    pip_quiet=()
    [ -z "${CI:-}" ] || pip_quiet=(-q)
    echo "bootstrap: preparing $VENV" >&2
    if [ ! -x "$VENV/bin/python" ]; then
        echo "bootstrap: creating the virtual environment" >&2
        python3 -m venv "$VENV"
    fi
    echo "bootstrap: updating pip" >&2
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -U pip >&2
    echo "bootstrap: installing antrian-mpp with its dev extras (every role's libraries and the test tools, pyproject.toml); a few minutes the first time" >&2
    "$VENV/bin/python" -m pip install ${pip_quiet[@]+"${pip_quiet[@]}"} --disable-pip-version-check -e "${ROOT}[dev]" >&2
    rm -f "$VENV"/.installed-*
    touch "$stamp"
    echo "bootstrap: $VENV ready" >&2
fi
export PATH="$VENV/bin:$PATH"
