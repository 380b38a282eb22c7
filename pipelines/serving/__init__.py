"""Serving: what is published, read for the API, the CLI and the dashboard."""
