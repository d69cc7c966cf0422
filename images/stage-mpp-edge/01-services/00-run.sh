#!/bin/bash -e
# Every device role's software and service, all services disabled: the
# first-boot mover enables the one the card's identity names.
EXTRAS="kiosk,counter,display,running_text,signature_pad"

install -v -d -m 755 "${ROOTFS_DIR}/usr/lib/systemd/system"
for unit in files/units/*.service; do
	install -v -m 644 "${unit}" "${ROOTFS_DIR}/usr/lib/systemd/system/"
done
install -v -d -m 755 "${ROOTFS_DIR}/etc/systemd/journald.conf.d"
for conf in files/journald/*.conf; do
	[ -e "${conf}" ] || continue
	install -v -m 644 "${conf}" "${ROOTFS_DIR}/etc/systemd/journald.conf.d/"
done

on_chroot << EOF
set -e
for wheel in /opt/mpp/wheels/antrian_mpp-*.whl; do
	/usr/local/sbin/mpp-install-release "\${wheel}" "${EXTRAS}"
done
# I2C for the counter unit's OLED, SPI for the running text's LED panel.
raspi-config nonint do_i2c 0
raspi-config nonint do_spi 0
EOF
