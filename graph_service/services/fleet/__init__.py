"""The deterministic synthetic fleet of battery passports for demo, tests and
benchmarks (``demo``)."""
