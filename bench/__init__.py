"""`make bench`: the SPEC §3 measurements against the running system (see docs/benchmarks.md)."""
