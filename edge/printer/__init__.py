"""Thermal ticket printing: layout to ESC/POS bytes, transports that send them, health."""
