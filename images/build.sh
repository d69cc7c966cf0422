#!/bin/bash
# Build the Antrian MPP SD-card images with pi-gen (arm64 branch, in Docker).
#
#   images/build.sh edge PI_GEN_DIR    the edge image (every device role)
#   images/build.sh hub PI_GEN_DIR     the hub image
#   images/build.sh assemble OUT_DIR   only lay the custom stages out as a build
#                                      would see them (what CI checks)
#
# PI_GEN_DIR is a checkout of pi-gen's arm64 branch. The stages are copied into
# it with the product wheel (built from this tree, or MPP_WHEEL=FILE) and the
# systemd units of systemd/; then pi-gen's build-docker.sh runs with
# images/config/ROLE.conf. The image lands in PI_GEN_DIR/deploy/.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "${HERE}")"
UNITS="${ROOT}/systemd"

die() {
	echo "images/build.sh: $*" >&2
	exit 2
}

assemble() {
	local out="$1"
	mkdir -p "${out}"
	cp -a "${HERE}"/stage-mpp-base "${HERE}"/stage-mpp-edge "${HERE}"/stage-mpp-hub "${out}/"
	cp "${HERE}"/config/edge.conf "${HERE}"/config/hub.conf "${out}/"

	local product="${out}/stage-mpp-base/01-product/files"
	rm -f "${product}"/antrian_mpp-*.whl
	if [ -n "${MPP_WHEEL:-}" ]; then
		install -m 644 "${MPP_WHEEL}" "${product}/"
	else
		python3 -m pip wheel --quiet --no-deps --wheel-dir "${product}" "${ROOT}"
	fi

	local edge="${out}/stage-mpp-edge/01-services/files"
	local hub="${out}/stage-mpp-hub/01-services/files"
	mkdir -p "${edge}/units" "${edge}/journald" "${hub}/units" "${hub}/journald"
	for unit in "${UNITS}"/mpp-*.service; do
		case "$(basename "${unit}")" in
		mpp-hub.service) install -m 644 "${unit}" "${hub}/units/" ;;
		*) install -m 644 "${unit}" "${edge}/units/" ;;
		esac
	done
	install -m 644 "${UNITS}/mosquitto.service.d/mpp.conf" "${hub}/mosquitto-mpp.conf"
	install -m 644 "${UNITS}/journald.conf.d/mpp-edge.conf" "${edge}/journald/"
	install -m 644 "${UNITS}/journald.conf.d/mpp-hub.conf" "${hub}/journald/"
	install -m 644 "${UNITS}/chrony-wait.service.d/mpp.conf" "${edge}/chrony-wait-mpp.conf"
}

build() {
	local role="$1" pigen="$2"
	[ -x "${pigen}/build-docker.sh" ] || die "${pigen} is not a pi-gen checkout (no build-docker.sh)"
	[ -d "${pigen}/stage2" ] || die "${pigen} has no stage2"
	assemble "${pigen}"
	# Only our image is exported, not stage2's Lite image as well.
	touch "${pigen}/stage2/SKIP_IMAGES"
	# pi-gen needs a first user with a password; a random one, never shown, and
	# the account is locked in stage-mpp-base.
	cp "${pigen}/${role}.conf" "${pigen}/config"
	printf 'FIRST_USER_PASS="%s"\n' "$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')" \
		>> "${pigen}/config"
	(cd "${pigen}" && ./build-docker.sh -c config)
	echo "images/build.sh: ${role} image in ${pigen}/deploy:"
	ls -l "${pigen}/deploy"
}

case "${1:-}" in
assemble)
	[ "$#" -eq 2 ] || die "usage: images/build.sh assemble OUT_DIR"
	assemble "$2"
	;;
edge | hub)
	[ "$#" -eq 2 ] || die "usage: images/build.sh $1 PI_GEN_DIR"
	build "$1" "$2"
	;;
*)
	die "usage: images/build.sh edge|hub PI_GEN_DIR | assemble OUT_DIR"
	;;
esac
