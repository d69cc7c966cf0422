"""The signature pad: a citizen signs for a document at hand-over (docs/signature-pad.md)."""
