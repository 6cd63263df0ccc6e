"""Finding words across records: query parsing (query), the index and its adapters (index,
sqlite_index), and the search use case (service)."""
