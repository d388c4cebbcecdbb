"""Audit service."""
