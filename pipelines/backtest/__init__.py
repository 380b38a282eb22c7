"""Backtests: rolling-origin evaluation of models, peers and the operator over the store or a file."""
