"""HTTP service of grid-headroom: FastAPI routers that translate between HTTP and pipelines."""
