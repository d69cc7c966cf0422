"""``mpp admin``: the hub admin's console. Talks to the hub only over MQTT 5
(request/response on the admin account's topics, plus retained state and the
event log), so it runs on the hub or on any PC of the LAN. Imports ``protocol``
(and the credentials store), never ``hub`` or ``edge``."""
