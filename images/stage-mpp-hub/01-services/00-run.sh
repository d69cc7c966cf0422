#!/bin/bash -e
# The hub's software and service (disabled), Mosquitto configured by the
# rendered broker directory (disabled too: mpp-hub.service wants it).
EXTRAS="hub"

install -v -d -m 755 "${ROOTFS_DIR}/usr/lib/systemd/system"
install -v -m 644 files/units/mpp-hub.service "${ROOTFS_DIR}/usr/lib/systemd/system/"
install -v -d -m 755 "${ROOTFS_DIR}/etc/systemd/system/mosquitto.service.d"
install -v -m 644 files/mosquitto-mpp.conf "${ROOTFS_DIR}/etc/systemd/system/mosquitto.service.d/mpp.conf"
# Logs: kept on disk, bounded.
install -v -d -m 755 "${ROOTFS_DIR}/etc/systemd/journald.conf.d"
install -v -m 644 files/journald/mpp-hub.conf "${ROOTFS_DIR}/etc/systemd/journald.conf.d/"

# Which image this is, for `mpp image customize` to refuse a device identity on it.
echo "antrian-mpp hub" > "${ROOTFS_DIR}/boot/firmware/mpp-image.txt"

on_chroot << EOF
set -e
for wheel in /opt/mpp/wheels/antrian_mpp-*.whl; do
	/usr/local/sbin/mpp-install-release "\${wheel}" "${EXTRAS}"
done
systemctl disable mosquitto.service
EOF
