"""``mpp upstream run``: the reference receiver of what site hubs send upstream."""
