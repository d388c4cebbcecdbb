"""Status configuration service."""
