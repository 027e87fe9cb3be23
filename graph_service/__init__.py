"""Knowledge-graph service for Digital Battery Passports."""

__version__ = "0.1.0"
