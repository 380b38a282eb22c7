"""Ingestion: files, records and queue files in, validated rows to the store, the rest to quarantine."""
