#!/bin/bash -e
# Start from stage-mpp-base.
if [ ! -d "${ROOTFS_DIR}" ]; then
	copy_previous
fi
