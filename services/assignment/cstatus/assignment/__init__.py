"""Assignment service."""
