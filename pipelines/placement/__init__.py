"""Placing flexible compute (issue #18): the issue's joint headroom paths in the store, and queries."""
