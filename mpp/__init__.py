"""The ``mpp`` command: one entry point whose subcommands come from each part."""

__version__ = "0.1.0"
