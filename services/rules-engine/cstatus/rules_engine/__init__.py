"""Rules engine service."""
