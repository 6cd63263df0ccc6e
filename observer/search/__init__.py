"""Finding words across records: query parsing, the search service and its index."""
