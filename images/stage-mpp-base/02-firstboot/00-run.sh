#!/bin/bash -e
# The first-boot mover: moves the identity from the boot partition into
# /etc/mpp (0600) and enables exactly the role's service. Enabled in the image;
# it does nothing on a card that carries no identity.
install -v -m 644 files/mpp-firstboot.service "${ROOTFS_DIR}/etc/systemd/system/mpp-firstboot.service"
on_chroot << EOF
systemctl enable mpp-firstboot.service
EOF
