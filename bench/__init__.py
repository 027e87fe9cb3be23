"""Benchmarks side by side with the engines users would pick instead (``python -m bench``).

Writes ``docs/benchmarks.md`` and ``docs/benchmarks.json``; prints tables, never asserts timings.
See ``python -m bench --help`` and the report's "How it was measured" section.
"""
