"""The web side: the FastAPI application with the operator console, the REST API and the pages
the carriers add (each carrier's own pages live in its folder under `carriers/`)."""
