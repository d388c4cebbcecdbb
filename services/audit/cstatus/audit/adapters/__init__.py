"""PostgreSQL, Redis and Kafka adapters, and their in-memory twins."""
