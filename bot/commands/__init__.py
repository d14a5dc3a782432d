"""The ``cpni-guard`` subcommands, one module per topic."""
