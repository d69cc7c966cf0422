"""Simulated people at simulated hardware: fingers on pins and touch screens, over a socket.

Only ``mpp edge --simulate`` starts this; the demo and the process tests use
it to press a counter's buttons or tap through a kiosk as a person would.
"""
