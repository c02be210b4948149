"""Benchmarks for Oppkoblingsbot: backlog, latency, scale and extraction (`make bench`)."""
