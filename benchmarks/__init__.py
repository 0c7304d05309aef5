"""Benchmarks: ingest speed, search latency and load, run by ``python -m benchmarks``; figures go to results/."""
