"""The contract's examples, for round-trip and fuzz tests (they live in protocol/examples.py)."""

from protocol.examples import EXAMPLES, examples, examples_of

__all__ = ["EXAMPLES", "examples", "examples_of"]
