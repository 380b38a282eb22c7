"""Model registry: versions on disk, champion promotion, drift of the serving champions."""
