"""Platform code shared by every service: settings, Kafka, PostgreSQL, HTTP, auth, telemetry."""
