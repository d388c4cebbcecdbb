"""Pure rules and state: frozen dataclasses, `now` passed in, no I/O imports."""
