from graph_service.cli import app

# Guarded: the bulk pipeline's worker processes (spawn) import this module again.
if __name__ == "__main__":
    app()
