"""Handlers: (command, unit of work) -> events; ports as Protocols."""
