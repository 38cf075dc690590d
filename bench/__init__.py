"""Benchmarks at programme scale: ``python -m bench.seed`` fills a database,
``python -m bench.run`` (``make bench``) measures and writes BENCHMARKS.md."""
