"""Stand-ins for what lies above the hub: the online booking system (a reference
publisher, ``mpp upstream bookings push``) and the site's booking key."""
