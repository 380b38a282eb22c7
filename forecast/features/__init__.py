"""Features for forecast models, built with polars expressions from history up to an origin."""
