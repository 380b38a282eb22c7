"""`python -m pipelines.cli` runs the `headroom` command."""

from pipelines.cli import main

main()
