"""Hardware drivers of the edge devices, each behind a small interface with a fake."""
