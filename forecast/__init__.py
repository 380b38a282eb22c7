"""Pure modelling library of grid-headroom: long-format polars frames in, frames out; no I/O."""
