"""I/O and orchestration of grid-headroom: sources, store, ingest, train, publish, schedule, CLI."""
