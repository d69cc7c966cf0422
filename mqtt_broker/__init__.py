"""Mosquitto for the hub: configuration, ACL and credentials rendered from the inventory."""
