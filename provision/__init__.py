"""Turning an SD card into a device: image customisation, safe flashing, first boot.

Runs on the technician's machine (``mpp image …``) except :mod:`provision.firstboot`,
which the image runs once on the Pi. Nothing here needs root or a mounted
file system on the technician's side: the boot partition of an image is
written with mtools at its byte offset.
"""
