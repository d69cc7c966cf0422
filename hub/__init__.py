"""The hub: keeps every agency's queue for the day, durably, with nothing but the LAN.

It imports the contract (``protocol``), never ``edge``.
"""
