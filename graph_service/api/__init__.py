"""HTTP layer: thin FastAPI routers. Routes parse, call one service, and shape the answer."""
