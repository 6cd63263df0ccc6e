"""The `observer` command line: one module per command group, loaded when used."""
