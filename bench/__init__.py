"""Benchmarks of Partners Bot: `make bench` (`python -m bench`) runs every scenario and writes
`bench/results.md`. See docs/bench.md."""
