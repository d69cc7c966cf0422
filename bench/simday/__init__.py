"""The parts of ``bench/dispatch_sim.py``: profile, one day, references, statistics."""
