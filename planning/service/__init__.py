"""The planning rules (one module per concern, re-exported here)."""
