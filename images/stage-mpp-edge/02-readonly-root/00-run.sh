#!/bin/bash -e
# Read-only root with a tmpfs overlay, switched on by the device itself once
# provisioning succeeded (the first-boot mover leaves a marker, the role's
# agent came up): an SD card that is never written survives power cuts.
install -v -m 755 files/mpp-readonly-root "${ROOTFS_DIR}/usr/local/sbin/mpp-readonly-root"
install -v -m 644 files/mpp-readonly-root.service "${ROOTFS_DIR}/etc/systemd/system/mpp-readonly-root.service"
on_chroot << EOF
systemctl enable mpp-readonly-root.service
EOF
