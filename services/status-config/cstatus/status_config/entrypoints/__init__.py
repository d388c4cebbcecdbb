"""Where messages and requests enter: Kafka subscriptions and HTTP routes."""
