"""``python -m graph_service.cli``."""

from graph_service.cli import app

if __name__ == "__main__":
    app()

