"""``python -m bench``: see bench/run.py."""

from bench.run import main

# Guarded: worker processes (spawn) import this module again and must not start a run.
if __name__ == "__main__":
    raise SystemExit(main())
