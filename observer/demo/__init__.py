"""Fictional sample data for demonstrations, screenshots and benchmarks."""
