"""Curtailment-enabled headroom (issue #17): load from a file or the store, call forecast.flexibility."""
