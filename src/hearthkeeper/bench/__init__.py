"""Benchmarks that ship with the package (`hearth bench ...`)."""
