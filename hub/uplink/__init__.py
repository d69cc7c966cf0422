"""The uplink: the hub's store-and-forward outbox and its delivery upstream."""
