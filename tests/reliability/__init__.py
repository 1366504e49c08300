"""Reliability: crash safety, hostile files and requests, concurrent writers (fast parts; the full runs are in benchmarks/)."""
