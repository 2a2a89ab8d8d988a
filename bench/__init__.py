"""Benchmarks: our path against a raw ceiling measured in the same run (`make bench`)."""
