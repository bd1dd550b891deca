"""The engine: events in, handlers decide, actions recorded in an outbox and performed once."""
