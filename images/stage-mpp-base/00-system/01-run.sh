#!/bin/bash -e
# The service user, the hardware watchdog, and the build user locked.

# systemd pets the Pi's hardware watchdog (bcm2835-wdt, at most 15 s): a hung
# kernel or PID 1 reboots the device. Only systemd opens /dev/watchdog.
install -v -d -m 755 "${ROOTFS_DIR}/etc/systemd/system.conf.d"
install -v -m 644 files/mpp-watchdog.conf "${ROOTFS_DIR}/etc/systemd/system.conf.d/mpp-watchdog.conf"
if ! grep -q '^dtparam=watchdog=on' "${ROOTFS_DIR}/boot/firmware/config.txt"; then
	printf '\n# Antrian MPP: hardware watchdog, petted by systemd\ndtparam=watchdog=on\n' \
		>> "${ROOTFS_DIR}/boot/firmware/config.txt"
fi

on_chroot << EOF
if ! id mpp >/dev/null 2>&1; then
	useradd --system --user-group --home-dir /var/lib/mpp --shell /usr/sbin/nologin mpp
fi
install -d -m 750 -o root -g mpp /etc/mpp
install -d -m 750 -o mpp -g mpp /var/lib/mpp
passwd --lock "${FIRST_USER_NAME}"
EOF
