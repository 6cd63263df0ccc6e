"""The team server: the team's records in PostgreSQL, who may see them (row-level
security), and the `observer-server` command. Nothing here imports Qt, and the laptop app
imports nothing from here (psycopg is the server's alone)."""
