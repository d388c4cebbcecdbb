"""`make run`'s demo: a simulated booking/POS/payments feed through the running services."""
