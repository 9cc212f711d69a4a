"""Collectors: sources of raw records, parsers that turn them into ECS events, the shipper."""
