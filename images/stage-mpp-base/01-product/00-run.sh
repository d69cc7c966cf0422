#!/bin/bash -e
# The product as a wheel: /opt/mpp/releases/<version> with /opt/mpp/current
# pointing at it. The release tool is installed here; the edge and hub stages
# call it with their extras.
install -v -d -m 755 "${ROOTFS_DIR}/opt/mpp/wheels" "${ROOTFS_DIR}/opt/mpp/releases"
install -v -m 644 files/antrian_mpp-*.whl "${ROOTFS_DIR}/opt/mpp/wheels/"
install -v -m 755 files/mpp-install-release "${ROOTFS_DIR}/usr/local/sbin/mpp-install-release"
