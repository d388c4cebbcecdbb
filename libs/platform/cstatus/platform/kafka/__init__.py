"""Kafka helpers shared by the services: producers, consumers, dead letters and topics."""
