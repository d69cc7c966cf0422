#!/bin/bash -e
# Every device role's software and service, all services disabled: the
# first-boot mover enables the one the card's identity names.
EXTRAS="kiosk,counter,display,running_text,signature_pad"

install -v -d -m 755 "${ROOTFS_DIR}/usr/lib/systemd/system"
for unit in files/units/*.service; do
	install -v -m 644 "${unit}" "${ROOTFS_DIR}/usr/lib/systemd/system/"
done
# Agents start after time-sync.target: wait for the hub's time 45 s at most.
install -v -d -m 755 "${ROOTFS_DIR}/etc/systemd/system/chrony-wait.service.d"
install -v -m 644 files/chrony-wait-mpp.conf "${ROOTFS_DIR}/etc/systemd/system/chrony-wait.service.d/mpp.conf"
# Logs: volatile (RAM) on a device, the SD card is spared.
install -v -d -m 755 "${ROOTFS_DIR}/etc/systemd/journald.conf.d"
install -v -m 644 files/journald/mpp-edge.conf "${ROOTFS_DIR}/etc/systemd/journald.conf.d/"

# Which image this is, for `mpp image customize` to refuse a hub identity on it.
echo "antrian-mpp edge" > "${ROOTFS_DIR}/boot/firmware/mpp-image.txt"

on_chroot << EOF
set -e
for wheel in /opt/mpp/wheels/antrian_mpp-*.whl; do
	/usr/local/sbin/mpp-install-release "\${wheel}" "${EXTRAS}"
done
# I2C for the counter unit's OLED, SPI for the running text's LED panel.
raspi-config nonint do_i2c 0
raspi-config nonint do_spi 0
EOF
